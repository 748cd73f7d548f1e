"""enqueue(): a message to an external system, validated against its JSON Schema and written in the
caller's transaction; the dispatcher (services/exchange/delivery.py, run by app/jobs/exchange.py) delivers
it after the commit through the target system's connector."""
from __future__ import annotations

from typing import Any

from app.db import UpsertStatement, rowcount, table_of, utcnow
from app.extensions import db
from app.integrations.exchange import schemas
from app.integrations.exchange.systems import target_of
from app.models import OutboxMessage, OutboxStatus

_OUTBOX = table_of(OutboxMessage)
_QUEUE_ONCE = UpsertStatement(lambda insert: insert(_OUTBOX).on_conflict_do_nothing(
    index_elements=[_OUTBOX.c.idempotency_key]))


class InvalidMessage(ValueError):
    """A message that does not match its schema: a bug of the producer, never sent."""


def enqueue(kind: str, payload: dict[str, Any], idempotency_key: str, case_id: int | None = None,
            aggregate: str | None = None) -> bool:
    """Queue a message once per idempotency key (a retried step does not send twice); one statement.
    `aggregate` (e.g. "enterprise:12") orders delivery: messages of one aggregate go out in the order
    they were queued. True when this call queued it, False when the key was already queued."""
    version = schemas.latest_version("outbound", kind)
    found = schemas.problems("outbound", kind, version, payload)
    if found:
        raise InvalidMessage(f"{kind} v{version} does not match its schema: " + "; ".join(found))
    inserted = db.session.execute(_QUEUE_ONCE(db.session()), {
        "kind": kind, "payload": payload, "idempotency_key": idempotency_key, "case_id": case_id,
        "status": OutboxStatus.PENDING, "attempts": 0, "created_at": utcnow(), "target": target_of(kind),
        "schema_version": version, "aggregate_key": (aggregate or idempotency_key)[:120]})
    return rowcount(inserted) > 0
