"""earlier_applications: a refused application's receipt and decision, kept when the applicant applies again

A refusal (不予) back to the applicant is a decision: the dashboards count it 办结, on time or late. When the
applicant amended and applied again on the same case, the clock restarted on the case row and the new
application's decision overwrote `deadline_state` and `finished_at`: a late refusal left past weeks' figures.
From this revision the refused application is kept as a row of this table, which the dashboards read beside
`cases`. Resubmissions before it left no such record (the refusal's outcome was overwritten), so nothing is
filled in.

Revision ID: 7b3f9c1d2e58
Revises: 5e7c2a9d4b18
Create Date: 2026-12-07 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b3f9c1d2e58'
down_revision = '5e7c2a9d4b18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'earlier_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('procedure_key', sa.String(length=100), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deadline_state', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_earlier_applications_case_id_cases'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['region_code'], ['regions.code'],
                                name=op.f('fk_earlier_applications_region_code_regions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_earlier_applications')),
    )
    with op.batch_alter_table('earlier_applications') as batch_op:
        batch_op.create_index(batch_op.f('ix_earlier_applications_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_earlier_applications_finished',
                              ['finished_at', 'procedure_key', 'region_code', 'deadline_state', 'received_at'],
                              unique=False)
        batch_op.create_index('ix_earlier_applications_received', ['received_at', 'region_code'], unique=False)


def downgrade():
    op.drop_table('earlier_applications')
