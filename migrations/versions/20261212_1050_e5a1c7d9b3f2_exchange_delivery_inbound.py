"""Data exchange: outbox delivery columns (target, order per aggregate, backoff, lease, dead letters),
inbound messages with their results, and the trading platform's award lock on performance records

Revision ID: e5a1c7d9b3f2
Revises: e5b2c7d91a40
Create Date: 2026-12-12 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a1c7d9b3f2'
down_revision = 'e5b2c7d91a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("schema_version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("aggregate_key", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("acknowledgement", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_messages_target"), ["target"], unique=False)
        batch_op.create_index("ix_outbox_messages_aggregate", ["aggregate_key", "id"], unique=False)
    # Messages queued before delivery existed: their system from the kind, one aggregate each.
    op.execute("UPDATE outbox_messages SET target = 'national_platform' WHERE kind LIKE 'national_platform.%'")
    op.execute("UPDATE outbox_messages SET target = 'internal' WHERE target = ''")
    op.execute("UPDATE outbox_messages SET aggregate_key = idempotency_key WHERE aggregate_key = ''")
    op.execute("UPDATE outbox_messages SET status = 'delivered' WHERE status = 'sent'")

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("entity_key", sa.String(length=160), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result_code", sa.String(length=60), nullable=True),
        sa.Column("result_message", sa.String(length=500), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("signature", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_inbound_messages_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("system", "message_id", name=op.f("uq_inbound_messages_system_message_id")),
        sa.UniqueConstraint("signature", name=op.f("uq_inbound_messages_signature")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_messages_status"), ["status"], unique=False)
        batch_op.create_index("ix_inbound_messages_entity", ["entity_key", "version"], unique=False)

    op.add_column("performance_records", sa.Column("award_lock", sa.String(length=120), nullable=True))


def downgrade():
    op.drop_column("performance_records", "award_lock")
    op.drop_table("inbound_messages")
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE status = 'delivered'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_aggregate")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_target"))
        for column in ("dead_at", "acknowledgement", "last_error", "last_attempt_at", "lease_until",
                       "next_attempt_at", "aggregate_key", "schema_version", "target"):
            batch_op.drop_column(column)
