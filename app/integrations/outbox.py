"""enqueue(): a message to an external system, written in the caller's transaction, sent after commit."""
from __future__ import annotations

from typing import Any

from app.db import rowcount, table_of, upsert_insert, utcnow
from app.extensions import db
from app.models import OutboxMessage


def enqueue(kind: str, payload: dict[str, Any], idempotency_key: str, case_id: int | None = None) -> bool:
    """Queue a message once per idempotency key (a retried step does not send twice); one statement.
    True when this call queued it, False when the key was already queued."""
    outbox = table_of(OutboxMessage)
    inserted = db.session.execute(
        upsert_insert(db.session(), outbox).values(kind=kind, payload=payload, idempotency_key=idempotency_key,
                                                 case_id=case_id, status="pending", attempts=0,
                                                 created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[outbox.c.idempotency_key]))
    return rowcount(inserted) > 0
