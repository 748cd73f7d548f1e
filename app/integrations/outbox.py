"""enqueue(): a message to an external system, written in the caller's transaction, sent after commit."""
from __future__ import annotations

from typing import Any

from app.db import UpsertStatement, rowcount, table_of, utcnow
from app.extensions import db
from app.models import OutboxMessage

_OUTBOX = table_of(OutboxMessage)
_QUEUE_ONCE = UpsertStatement(lambda insert: insert(_OUTBOX).on_conflict_do_nothing(
    index_elements=[_OUTBOX.c.idempotency_key]))


def enqueue(kind: str, payload: dict[str, Any], idempotency_key: str, case_id: int | None = None) -> bool:
    """Queue a message once per idempotency key (a retried step does not send twice); one statement.
    True when this call queued it, False when the key was already queued."""
    inserted = db.session.execute(_QUEUE_ONCE(db.session()), {
        "kind": kind, "payload": payload, "idempotency_key": idempotency_key, "case_id": case_id,
        "status": "pending", "attempts": 0, "created_at": utcnow()})
    return rowcount(inserted) > 0
