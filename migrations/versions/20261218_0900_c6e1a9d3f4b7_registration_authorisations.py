"""enterprise_registrations.authorisations: how many main operators a verification authorised

Each authorisation texts a link to register as the enterprise's main operator; a new one replaces the earlier
invitation. One verification authorised any number of phones; from this revision it authorises a few
(services/identity/registration.MAX_AUTHORISATIONS), then the legal representative verifies again. Rows before
it count as authorised once when they were (their one invitation).

Revision ID: c6e1a9d3f4b7
Revises: 7b3f9c1d2e58
Create Date: 2026-12-08 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c6e1a9d3f4b7'
down_revision = '7b3f9c1d2e58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprise_registrations') as batch_op:
        batch_op.add_column(sa.Column('authorisations', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE enterprise_registrations SET authorisations = 1 WHERE operator_phone IS NOT NULL")


def downgrade():
    with op.batch_alter_table('enterprise_registrations') as batch_op:
        batch_op.drop_column('authorisations')
