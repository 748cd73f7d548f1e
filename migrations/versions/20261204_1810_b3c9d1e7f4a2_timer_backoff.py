"""cases.timer_failures and timer_retry_at: a case whose timers keep failing backs off, then goes to 异常

The timer job took the 100 oldest due cases; a case whose step kept failing stayed first forever, and 100
such cases stopped every other timer.

Revision ID: b3c9d1e7f4a2
Revises: a7d3e5f1c2b9
Create Date: 2026-12-04 18:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c9d1e7f4a2'
down_revision = 'a7d3e5f1c2b9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("cases", sa.Column("timer_failures", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("cases", sa.Column("timer_retry_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35): a batch rebuild of cases would cascade away its tasks and history.
    op.drop_column("cases", "timer_retry_at")
    op.drop_column("cases", "timer_failures")
