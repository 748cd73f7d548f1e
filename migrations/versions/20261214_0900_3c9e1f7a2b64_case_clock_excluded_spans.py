"""case_clocks.excluded_spans: the days of each ended pause, so that excluded working days are counted on the
calendar as it is now

A clock kept only the count of working days its pauses (补正, excluded steps) had excluded, taken on the
calendar of the day each pause ended. A closure day or holiday entered later inside an ended pause was then
excluded twice: once in that count, once by the calendar the deadline is counted on, and the deadline moved a
working day too late. Pauses ended from now on are kept as [paused, resumed] local dates and counted when the
deadline is computed; excluded_workdays keeps what earlier pauses excluded (their days are not known).

Revision ID: 3c9e1f7a2b64
Revises: f28f5fc7d5fe
Create Date: 2026-12-07 07:30:00

"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c9e1f7a2b64'
down_revision = 'f28f5fc7d5fe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_clocks') as batch_op:
        batch_op.add_column(sa.Column('excluded_spans', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    # The spans folded back into the count, on the calendar as it is now (the week, corrected by calendar_days).
    bind = op.get_bind()
    clocks = sa.table('case_clocks', sa.column('case_id', sa.Integer), sa.column('excluded_spans', sa.JSON),
                      sa.column('excluded_workdays', sa.Integer))
    days = sa.table('calendar_days', sa.column('day', sa.Date), sa.column('workday', sa.Boolean))
    exceptions = {row.day: row.workday for row in bind.execute(sa.select(days.c.day, days.c.workday))}

    def workdays(after: date, until: date) -> int:
        spanned = (after + timedelta(days=i) for i in range(1, (until - after).days + 1))
        return sum(exceptions.get(day, day.weekday() < 5) for day in spanned)

    for row in bind.execute(sa.select(clocks.c.case_id, clocks.c.excluded_spans, clocks.c.excluded_workdays)).all():
        if row.excluded_spans:
            folded = row.excluded_workdays + sum(workdays(date.fromisoformat(a), date.fromisoformat(b))
                                                 for a, b in row.excluded_spans)
            bind.execute(clocks.update().where(clocks.c.case_id == row.case_id).values(excluded_workdays=folded))
    with op.batch_alter_table('case_clocks') as batch_op:
        batch_op.drop_column('excluded_spans')
