"""Fire due BPMN timers: each due case is one step in its own transaction (see jobs/timers.py).

Exactly once with several workers: on PostgreSQL the case row is locked FOR UPDATE SKIP LOCKED (a worker
that finds it locked moves on) and the due time is checked again under the lock; everywhere the case's
optimistic lock_version refuses a second, concurrent step (StaleCase, rolled back).

A case whose timers keep failing does not hold up the others: each failure backs it off (1, 2, 4 ...
minutes, at most an hour) and after MAX_TIMER_FAILURES it is put in 异常 for an admin to repair and retry.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select

from app.db import utcnow
from app.extensions import db
from app.models import OPEN_STATUSES, Case, CaseStatus
from app.services import steps
from app.services.cases import history

MAX_TIMER_FAILURES = 5
FIRST_BACKOFF, LONGEST_BACKOFF = timedelta(minutes=1), timedelta(hours=1)
TIMERS_FAILED_MESSAGE = "定时器多次触发失败，已停止自动处理，请管理员检查后重试"


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(Case.status.in_(OPEN_STATUSES), Case.next_timer_at <= now,
                or_(Case.timer_retry_at.is_(None), Case.timer_retry_at <= now))


def due_case_ids(now: datetime | None = None, limit: int = 100) -> list[int]:
    """The cases whose timers are due (oldest first), except those backing off after a failure."""
    query = select(Case.id).where(_due(now or utcnow())).order_by(Case.next_timer_at).limit(limit)
    return list(db.session.scalars(query))


def fire_case_timers(case_id: int, now: datetime | None = None) -> bool:
    """Fire the due timers of one case; False when nothing was due any more (another worker won)."""
    due = select(Case.id).where(Case.id == case_id, _due(now or utcnow()))
    if db.engine.dialect.name == "postgresql":
        # Lock the bare row (the Case entity joins its version and applicant, which FOR UPDATE refuses).
        due = due.with_for_update(skip_locked=True)
    if db.session.scalar(due) is None:
        return False
    case = db.session.get(Case, case_id, populate_existing=True, options=steps.step_loading())
    assert case is not None
    steps.advance(case, None, steps.FireTimers())  # a step that went through clears earlier failures
    return True


def note_timer_failure(case_id: int, now: datetime | None = None) -> None:
    """Firing the case's timers failed (and was rolled back): try again later, or stop after too many."""
    case = db.session.get(Case, case_id)
    if case is None or case.status not in OPEN_STATUSES:
        return
    now = now or utcnow()
    case.timer_failures += 1
    if case.timer_failures >= MAX_TIMER_FAILURES:
        case.status, case.error_message = CaseStatus.ERROR, TIMERS_FAILED_MESSAGE
        case.next_timer_at = case.timer_retry_at = None
        history.record(case, "error", None, step=case.current_step,
                       payload={"message": TIMERS_FAILED_MESSAGE, "failures": case.timer_failures})
    else:
        case.timer_retry_at = now + min(FIRST_BACKOFF * 2 ** (case.timer_failures - 1), LONGEST_BACKOFF)
    case.updated_at = now
