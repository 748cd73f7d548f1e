"""The audit log's one entrance: `record(actor, action, ...)`, called by the services in the transaction of
the action they audit (never by views). Who acted is an argument; the address is the caller's argument or
the request's (`origin`, set once per request by the app's wrapper). The row is sealed into the hash chain
just before the transaction commits (chain.seal); search, export and verification live beside it."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from app.db import add_before_commit, add_rollback_hooks, utcnow
from app.log_masking import mask_text
from app.models import Actor, AuditEntry
from app.services.audit.chain import seal

_ORIGIN: ContextVar[str | None] = ContextVar("gjy_audit_origin", default=None)
# The entries `record` made in this context since the last seal, not in the session yet: the unit of work
# writes them sealed when it commits (one INSERT, no unsealed row first); a rolled-back savepoint or unit of
# work drops those it recorded (app.db's rollback hooks).
_PENDING: ContextVar[list[AuditEntry] | None] = ContextVar("gjy_audit_pending", default=None)


def init_app(app: Flask) -> None:
    add_before_commit(app, seal_pending)
    add_rollback_hooks(app, _recorded_so_far, _drop_after)


def seal_pending(session: Session) -> None:
    """Before a unit of work commits: seal what it recorded (nothing recorded, no statement)."""
    recorded = _PENDING.get()
    if not recorded:
        return
    _PENDING.set(None)
    seal(session, recorded)


def _recorded_so_far() -> int:
    return len(_PENDING.get() or ())


def _drop_after(count: int) -> None:
    """A rolled-back savepoint or unit of work: what was recorded in it did not happen."""
    recorded = _PENDING.get()
    if recorded:
        del recorded[count:]


@contextmanager
def origin(source_ip: str | None) -> Iterator[None]:
    """Within this block, audited actions came from `source_ip` (the request's client address)."""
    token = _ORIGIN.set(source_ip)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def set_origin(source_ip: str | None) -> None:
    _ORIGIN.set(source_ip)


def _clean(value: Any) -> Any:
    """Details as stored and hashed: plain JSON, ID numbers and phones masked in every string."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_text(str(value))


def record(actor: Actor | None, action: str, object_type: str = "", object_id: Any = "", /, *,
           organisation_id: int | None = None, source_ip: str | None = None, actor_name: str | None = None,
           **details: Any) -> AuditEntry:
    """Append one entry (written sealed when the unit of work commits, dropped if its part is rolled back). `actor`
    None: the system (a job, a command) or a caller not known (a refused sign-in: `actor_name` is the name
    typed). Details are masked; they never hold a password, a code or a token."""
    ip = source_ip if source_ip is not None else _ORIGIN.get()
    name = actor_name if actor_name is not None else (actor.username if actor is not None else "")
    entry = AuditEntry(at=utcnow(), actor_id=actor.id if actor is not None else None, actor_name=mask_text(name)[:64],
                       source_ip=ip[:45] if ip else None, action=action[:60], object_type=object_type[:40],
                       object_id=str(object_id if object_id is not None else "")[:64],
                       organisation_id=organisation_id if organisation_id is not None else (
                           actor.organisation_id if actor is not None else None),
                       details=json.loads(json.dumps(_clean(details), ensure_ascii=False)))
    recorded = _PENDING.get()
    if recorded is None:
        _PENDING.set(recorded := [])
    recorded.append(entry)
    return entry


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The before/after pair of what differs (for a change of domain data)."""
    keys = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return {"before": {key: before.get(key) for key in keys}, "after": {key: after.get(key) for key in keys}}


__all__ = ["changed", "init_app", "origin", "record", "seal_pending", "set_origin"]
