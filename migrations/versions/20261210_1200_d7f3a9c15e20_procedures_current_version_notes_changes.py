"""procedures.current_version_id (was latest_version_id), version note and source, procedure_changes

Which version new cases start on is decided in the product: the column keeps its values (the latest
version was the current one until now) under its new name. Every existing version came from bpmn/ on the
server, so its source is "files". procedure_changes records which version became current (or which case
moved to another version) when, by whom and why.

Revision ID: d7f3a9c15e20
Revises: c4e8a1f2d6b3
Create Date: 2026-12-10 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7f3a9c15e20'
down_revision = 'c4e8a1f2d6b3'
branch_labels = None
depends_on = None

OLD_KEY = "fk_procedures_latest_version_id_procedure_versions"
NEW_KEY = "fk_procedures_current_version_id_procedure_versions"


def _rename_column(table: str, old: str, new: str) -> None:
    # Plain RENAME COLUMN (SQLite >= 3.25, PostgreSQL): a batch rebuild of procedures would have to drop a table
    # that procedure_versions and cases reference.
    op.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")


def _rename_key(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return  # SQLite renamed the column inside the inline constraint; its name is not compared
    if any(fk["name"] == old for fk in sa.inspect(bind).get_foreign_keys("procedures")):
        op.execute(f"ALTER TABLE procedures RENAME CONSTRAINT {old} TO {new}")


def upgrade():
    _rename_column("procedures", "latest_version_id", "current_version_id")
    _rename_key(OLD_KEY, NEW_KEY)
    _rename_column("procedure_versions", "notes", "note")
    op.add_column("procedure_versions", sa.Column("source", sa.String(length=10), nullable=False,
                                                  server_default="files"))
    op.create_table(
        "procedure_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedures.id"],
                                name=op.f("fk_procedure_changes_procedure_id_procedures")),
        sa.ForeignKeyConstraint(["version_id"], ["procedure_versions.id"],
                                name=op.f("fk_procedure_changes_version_id_procedure_versions")),
        sa.ForeignKeyConstraint(["previous_version_id"], ["procedure_versions.id"],
                                name=op.f("fk_procedure_changes_previous_version_id_procedure_versions")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="SET NULL",
                                name=op.f("fk_procedure_changes_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_changes")),
    )
    with op.batch_alter_table("procedure_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedure_changes_procedure_id"), ["procedure_id"], unique=False)


def downgrade():
    with op.batch_alter_table("procedure_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedure_changes_procedure_id"))
    op.drop_table("procedure_changes")
    op.drop_column("procedure_versions", "source")
    _rename_column("procedure_versions", "note", "notes")
    _rename_key(NEW_KEY, OLD_KEY)
    _rename_column("procedures", "current_version_id", "latest_version_id")
