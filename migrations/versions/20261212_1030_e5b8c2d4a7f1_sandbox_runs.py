"""sandbox_runs: drafts tried step by step ("try it"), kept apart from cases

A run is no case: it has its own table so that no list, dashboard, export, search or outgoing message of
cases can show it. draft_id names the draft (procedure_drafts) it belongs to; deleting the draft deletes its
runs.

Revision ID: e5b8c2d4a7f1
Revises: 30814e3a29e5
Create Date: 2026-12-11 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b8c2d4a7f1'
down_revision = '30814e3a29e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sandbox_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_key", sa.String(length=100), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("serializer_version", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("persons", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_sandbox_runs_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_runs")),
    )
    with op.batch_alter_table("sandbox_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sandbox_runs_procedure_key"), ["procedure_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_sandbox_runs_draft_id"), ["draft_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sandbox_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_runs_draft_id"))
        batch_op.drop_index(batch_op.f("ix_sandbox_runs_procedure_key"))
    op.drop_table("sandbox_runs")
