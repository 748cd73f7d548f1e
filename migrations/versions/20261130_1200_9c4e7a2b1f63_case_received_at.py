"""case received_at: when the application reached the authority (not when its draft was opened)

The SLA dashboard measured handling time and "received" counts from cases.created_at, the moment the
applicant opened a draft: drafts never submitted counted as received and the time an applicant spent
filling in the form counted as the authority's. received_at is set by the step that first opens an
authority task (or decides the case at once); existing cases are filled from their case clock's start,
else their first authority task, else (a case decided without one) their completion.

Revision ID: 9c4e7a2b1f63
Revises: 3bdb58fb7850
Create Date: 2026-11-30 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9c4e7a2b1f63'
down_revision = '3bdb58fb7850'
branch_labels = None
depends_on = None

cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("status", sa.String),
                 sa.column("completed_at", sa.DateTime(timezone=True)),
                 sa.column("received_at", sa.DateTime(timezone=True)))
case_clocks = sa.table("case_clocks", sa.column("case_id", sa.Integer),
                       sa.column("started_at", sa.DateTime(timezone=True)))
tasks = sa.table("tasks", sa.column("case_id", sa.Integer), sa.column("scope", sa.String),
                 sa.column("created_at", sa.DateTime(timezone=True)))


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))

    clock_start = (sa.select(case_clocks.c.started_at).where(case_clocks.c.case_id == cases.c.id)
                   .scalar_subquery())
    first_authority_task = (sa.select(sa.func.min(tasks.c.created_at))
                            .where(tasks.c.case_id == cases.c.id, tasks.c.scope != "applicant").scalar_subquery())
    decided_at_once = sa.case((cases.c.status.in_(("completed", "terminated")), cases.c.completed_at), else_=None)
    op.get_bind().execute(cases.update().values(
        received_at=sa.func.coalesce(clock_start, first_authority_task, decided_at_once)))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_dashboard_completed')
        batch_op.drop_index('ix_cases_dashboard_created')
        batch_op.create_index('ix_cases_dashboard_completed', ['completed_at', 'status', 'procedure_key', 'region_code',
                                                               'deadline_state', 'received_at'], unique=False)
        batch_op.create_index('ix_cases_dashboard_received', ['received_at', 'region_code'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_dashboard_received')
        batch_op.drop_index('ix_cases_dashboard_completed')
        batch_op.create_index('ix_cases_dashboard_created', ['created_at', 'region_code'], unique=False)
        batch_op.create_index('ix_cases_dashboard_completed', ['completed_at', 'status', 'procedure_key', 'region_code',
                                                               'deadline_state', 'created_at'], unique=False)
    # A plain ALTER TABLE (SQLite >= 3.35 has DROP COLUMN): a batch copy of cases would drop the old table,
    # and SQLite's ON DELETE CASCADE would take every case's tasks, history and attachments with it.
    op.drop_column('cases', 'received_at')
