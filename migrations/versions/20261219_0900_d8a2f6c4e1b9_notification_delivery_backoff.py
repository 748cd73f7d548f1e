"""notifications.next_attempt_at and delivery_error: the officials' channel backs off as the applicants' SMS and
e-mail do, and keeps its failure out of the notification the user reads

A failed delivery through GJY_NOTIFY_CHANNEL (an escalation to a lead) was tried again every worker round and
given up at the fifth attempt, about a minute after the first, its error written into the payload the user
reads. From this revision every delivery follows one schedule (services/notifications_retry.py), and a
delivery given up is listed for the admins with a re-send (/admin/deliveries).

Revision ID: d8a2f6c4e1b9
Revises: c6e1a9d3f4b7
Create Date: 2026-12-19 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8a2f6c4e1b9'
down_revision = 'c6e1a9d3f4b7'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("notifications", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("notifications", sa.Column("delivery_error", sa.String(length=300), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35): no batch rebuild of a table other rows point at.
    op.drop_column("notifications", "delivery_error")
    op.drop_column("notifications", "next_attempt_at")
