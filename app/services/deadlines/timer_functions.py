"""The functions diagrams' timers and scripts call (`end_of_day`, `now`, `add_working_days`), counted on the
working-day calendar exactly as task deadlines are. The step pipeline's engine offers them (services/steps.py)."""
from __future__ import annotations

from datetime import date, datetime, time

from app.db import utcnow
from app.errors import Message
from app.services.deadlines.calendar import WorkCalendar
from app.services.deadlines.limits import LOCAL_TZ, MAX_WORKING_DAYS, due_at


def end_of_day(day: str) -> str:
    """For timers in diagrams: the end of a local date (YYYY-MM-DD) as an ISO string with offset."""
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=LOCAL_TZ).isoformat()


def now() -> str:
    return utcnow().isoformat()


MAX_TIMER_WORKING_DAYS = MAX_WORKING_DAYS  # about ten years, as a task's limit: beyond any of the notice's procedures
# A diagram's timer asking for more (or fewer than none): a Message template (the deploy checks report it).
WORKING_DAYS_RANGE = "工作日数须在 0 至 {max} 之间，而不是 {days}"


def working_days_after(start: str, days: int, calendar: WorkCalendar | None = None) -> tuple[datetime, bool, datetime]:
    """(close of business on the Nth working day after `start` (ISO), provisional, the start as a moment), counted
    exactly as task deadlines are (the same calendar and office hours)."""
    if not 0 <= int(days) <= MAX_TIMER_WORKING_DAYS:
        raise ValueError(Message(WORKING_DAYS_RANGE, max=MAX_TIMER_WORKING_DAYS, days=days))
    begin = datetime.fromisoformat(start)
    begin = begin if begin.tzinfo else begin.replace(tzinfo=LOCAL_TZ)
    due, provisional = due_at(begin, f"{int(days)} working days", calendar)
    assert due is not None
    return due, provisional, begin


def add_working_days(start: str, days: int) -> str:
    """For timers in diagrams (as deploy evaluates them; a step uses its own, which records a result on a
    provisional calendar: Step._add_working_days)."""
    return working_days_after(start, days)[0].isoformat()
