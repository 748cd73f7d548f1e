"""enqueue(): a message to an external system, written in the caller's transaction, sent after commit."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage


def enqueue(kind: str, payload: dict[str, Any], idempotency_key: str, case_id: int | None = None) -> OutboxMessage:
    """Queue a message once per idempotency key (a retried step does not send twice)."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    message = OutboxMessage(kind=kind, payload=payload, idempotency_key=idempotency_key, case_id=case_id)
    db.session.add(message)
    db.session.flush()
    return message
