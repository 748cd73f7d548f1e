"""index for a user's completed tasks

The inbox's 已办 view (tasks the user completed, newest first) read every completed task without it.

Revision ID: 73c3c9889ffe
Revises: d5c9af0f6956
Create Date: 2026-11-29 23:30:40.194043

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '73c3c9889ffe'
down_revision = 'd5c9af0f6956'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_done', ['completed_by_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_done')
