"""procedure_drafts: analysts' drafts of procedures kept on the server (files, author, base version)

Revision ID: e5b2c7d91a40
Revises: e5b8c2d4a7f1
Create Date: 2026-12-11 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b2c7d91a40'
down_revision = 'e5b8c2d4a7f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procedure_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_drafts")),
    )
    op.create_index(op.f("ix_procedure_drafts_procedure_key"), "procedure_drafts", ["procedure_key"])


def downgrade():
    op.drop_index(op.f("ix_procedure_drafts_procedure_key"), table_name="procedure_drafts")
    op.drop_table("procedure_drafts")
