"""Messages to external systems (written in the step's transaction, delivered after commit by the
dispatcher) and messages received from them (stored as received, with the result of applying them)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class OutboxStatus:
    """pending -> sending (claimed by a dispatcher, until lease_until) -> delivered; back to pending with a
    later next_attempt_at after a failure; dead after the retry budget (an admin may re-send it)."""

    PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"
    ALL = (PENDING, SENDING, DELIVERED, DEAD)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_aggregate", "aggregate_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # delivered (acknowledged) at
    # The system the message goes to (national_platform, approval_system, trading_platform, ... or
    # "internal" for messages delivered inside the app), and the schema version it was validated against.
    target: Mapped[str] = mapped_column(String(40), default="", index=True)
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    # Messages of one aggregate (one enterprise) are delivered in id order; a later one waits.
    aggregate_key: Mapped[str] = mapped_column(String(120), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    acknowledgement: Mapped[str | None] = mapped_column(String(120))  # the receiver's reference
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InboundStatus:
    """applied: its effect is in the records; rejected: malformed or refused by a rule (reason kept);
    conflict: older than what is already applied for the same entity (out of order), nothing changed."""

    APPLIED, REJECTED, CONFLICT = "applied", "rejected", "conflict"
    ALL = (APPLIED, REJECTED, CONFLICT)


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("system", "message_id"),
                      Index("ix_inbound_messages_entity", "entity_key", "version"))

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(120))  # the sender's id: the same message twice is one
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10), default="http")  # http | file
    entity_key: Mapped[str | None] = mapped_column(String(160))
    version: Mapped[int | None] = mapped_column(BigInteger)  # the sender's version of the entity
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    result_code: Mapped[str | None] = mapped_column(String(60))
    result_message: Mapped[str | None] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # The HMAC signature it came with (HTTP): a request signed once is accepted once (replay refused).
    signature: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
