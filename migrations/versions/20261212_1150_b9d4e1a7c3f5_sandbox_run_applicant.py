"""sandbox_runs.applicant_org_id: the real enterprise a sandbox run applies as (issue 19, "try it")

The analyst chooses a real applicant enterprise for a run, so that the draft's choice fields and handlers read
that enterprise's own records (its locked persons, its projects); every write of a handler is undone, and the
run is still no case. Null: the run applies as the analyst's own organisation (no enterprise's records).

Revision ID: b9d4e1a7c3f5
Revises: f6b2d8e4a1c3
Create Date: 2026-12-05 16:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b9d4e1a7c3f5'
down_revision = 'f6b2d8e4a1c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sandbox_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_org_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_sandbox_runs_applicant_org_id_organisations"), "organisations",
                                    ["applicant_org_id"], ["id"])


def downgrade():
    with op.batch_alter_table("sandbox_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sandbox_runs_applicant_org_id_organisations"), type_="foreignkey")
        batch_op.drop_column("applicant_org_id")
