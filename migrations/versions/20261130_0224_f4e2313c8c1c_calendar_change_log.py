"""calendar change log

Every change to the working-day calendar (a day set or cleared, a year confirmed) with who made it, the
day's entry before and how many deadlines moved: the calendar decides deadlines, so it is audited.

Revision ID: f4e2313c8c1c
Revises: 9c4e7a2b1f63
Create Date: 2026-11-30 02:24:23.835451

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4e2313c8c1c'
down_revision = '9c4e7a2b1f63'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('workday', sa.Boolean(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=True),
    sa.Column('recomputed', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_calendar_changes_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_day'), ['day'], unique=False)



def downgrade():
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_day'))

    op.drop_table('calendar_changes')
