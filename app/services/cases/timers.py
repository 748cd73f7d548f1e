"""Fire due BPMN timers: each due case is one step in its own transaction (see jobs/timers.py).

Exactly once with several workers: on PostgreSQL the case row is locked FOR UPDATE SKIP LOCKED (a worker
that finds it locked moves on) and the due time is checked again under the lock; everywhere the case's
optimistic lock_version refuses a second, concurrent step (StaleCase, rolled back).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import OPEN_STATUSES, Case
from app.services import steps


def due_case_ids(now: datetime | None = None, limit: int = 100) -> list[int]:
    query = (select(Case.id).where(Case.status.in_(OPEN_STATUSES), Case.next_timer_at <= (now or utcnow()))
             .order_by(Case.next_timer_at).limit(limit))
    return list(db.session.scalars(query))


def fire_case_timers(case_id: int, now: datetime | None = None) -> bool:
    """Fire the due timers of one case; False when nothing was due any more (another worker won)."""
    due = select(Case.id).where(Case.id == case_id, Case.status.in_(OPEN_STATUSES),
                                Case.next_timer_at <= (now or utcnow()))
    if db.engine.dialect.name == "postgresql":
        # Lock the bare row (the Case entity joins its version and applicant, which FOR UPDATE refuses).
        due = due.with_for_update(skip_locked=True)
    if db.session.scalar(due) is None:
        return False
    case = db.session.get(Case, case_id, populate_existing=True)
    assert case is not None
    steps.advance(case, None, steps.FireTimers())
    return True
