"""Fire due BPMN timers: each due case is one step in its own transaction (see jobs/timers.py)."""
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
    query = select(Case).where(Case.id == case_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    case = db.session.scalar(query)
    if case is None or case.next_timer_at is None or case.next_timer_at > (now or utcnow()):
        return False
    steps.advance(case, None, steps.FireTimers())
    return True
