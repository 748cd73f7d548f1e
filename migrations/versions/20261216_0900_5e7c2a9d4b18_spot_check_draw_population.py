"""spot_check_draws.population: what a draw was drawn from, kept so that the draw can be recomputed

A draw's seed is now made by the server (the reviewer could try seeds in previews and draw with the one he
liked); with the seed and the sample size, the population of the draw's moment (enterprise, stratum, item
refs) recomputes it, whatever the records have become since. Draws made before this revision have none.

Revision ID: 5e7c2a9d4b18
Revises: a4d8e2c7f1b3
Create Date: 2026-12-16 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e7c2a9d4b18'
down_revision = 'a4d8e2c7f1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('spot_check_draws') as batch_op:
        batch_op.add_column(sa.Column('population', sa.JSON(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+): spot_check_items references the table, which a batch copy would drop.
    with op.batch_alter_table('spot_check_draws', recreate='never') as batch_op:
        batch_op.drop_column('population')
