"""cases.finished_at: when the authority's work on a case ended (its decision where the clock stopped for one,
else its completion), indexed for the SLA dashboard in place of completed_at

A temporary unlock is decided by the city in a day and completes by itself when the lock returns, weeks later:
the dashboards counted it then, with weeks of "handling time". They now count every case at finished_at. Cases
decided or completed before this revision get it from their clock's decision, else their completion.

Revision ID: a4d8e2c7f1b3
Revises: 3c9e1f7a2b64
Create Date: 2026-12-07 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4d8e2c7f1b3'
down_revision = '3c9e1f7a2b64'
branch_labels = None
depends_on = None

COLUMNS = ['status', 'procedure_key', 'region_code', 'deadline_state', 'received_at']


def upgrade():
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index('ix_cases_dashboard_completed')
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('completed_at', sa.DateTime(timezone=True)), sa.column('finished_at', sa.DateTime(timezone=True)))
    clocks = sa.table('case_clocks', sa.column('case_id', sa.Integer), sa.column('paused_at', sa.DateTime(timezone=True)),
                      sa.column('pause_reason', sa.String))
    decision = (sa.select(clocks.c.paused_at).where(clocks.c.case_id == cases.c.id,
                                                    clocks.c.pause_reason == 'decided').scalar_subquery())
    op.execute(cases.update().values(finished_at=sa.func.coalesce(decision, cases.c.completed_at)))
    with op.batch_alter_table('cases') as batch_op:
        batch_op.create_index('ix_cases_dashboard_finished', ['finished_at', *COLUMNS], unique=False)


def downgrade():
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_index('ix_cases_dashboard_finished')
        batch_op.create_index('ix_cases_dashboard_completed', ['completed_at', *COLUMNS], unique=False)
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): a copy of the table, which batch mode makes on SQLite, cannot
    # drop `cases` while other tables' rows reference it.
    with op.batch_alter_table('cases', recreate='never') as batch_op:
        batch_op.drop_column('finished_at')
