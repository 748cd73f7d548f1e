"""task drafts (issue 20): a user's unsubmitted input of an open task (暂存), one row per task and user

Revision ID: a8068980e92d
Revises: e5a1c7d3b9f2
Create Date: 2026-12-11 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8068980e92d'
down_revision = 'e5a1c7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_drafts',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_drafts_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'user_id', name=op.f('pk_task_drafts'))
    )


def downgrade():
    op.drop_table('task_drafts')
