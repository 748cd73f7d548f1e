"""procedures.latest_version_id references procedure_versions on PostgreSQL too

The initial migration declared the foreign key with use_alter inside create_table, which Alembic leaves to
a separate ALTER; none followed, so PostgreSQL databases lacked it (SQLite has it inline). Found by the
test that compares the models with the migrations.

Revision ID: c4e8a1f2d6b3
Revises: b3c9d1e7f4a2
Create Date: 2026-12-04 20:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e8a1f2d6b3'
down_revision = 'b3c9d1e7f4a2'
branch_labels = None
depends_on = None

NAME = "fk_procedures_latest_version_id_procedure_versions"


def _has_key(bind) -> bool:
    return any(fk["name"] == NAME for fk in sa.inspect(bind).get_foreign_keys("procedures"))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" and not _has_key(bind):
        op.create_foreign_key(NAME, "procedures", "procedure_versions", ["latest_version_id"], ["id"])


def downgrade():
    pass  # the key belongs to the schema the models describe; an older revision simply had it missing
