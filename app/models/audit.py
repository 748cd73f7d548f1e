"""The audit log: append-only, each row sealed into a hash chain (services/audit), and the checkpoints the
nightly verification leaves (so that rows cut from the chain's end are noticed too)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One audited action. Written in the action's own transaction with `seq` and `hash` empty; sealed before
    that transaction commits (services.audit.chain.seal): `seq` is its place in the chain, `hash` covers its
    content and the previous row's hash. No foreign keys: nothing elsewhere may change or delete a row."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),
                      Index("ix_audit_log_object", "object_type", "object_id"),
                      Index("ix_audit_log_actor_id_at", "actor_id", "at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(64), default="")  # "" = the system (jobs, commands)
    source_ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(60))  # dotted: "sign_in.failure", "case.task_completed"
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # before/after, counts; masked
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The chain's head as a verification found it intact: a later verification must find that row unchanged
    (rows deleted from the end leave no gap in the chain, but they take the checkpoint's row with them)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
