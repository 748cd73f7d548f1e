"""Working-day arithmetic over the calendar table (holidays, make-up workdays, local closures).

The core (`WorkCalendar`, `BusinessHours`) is pure and needs no database; `current_calendar()` loads
the table and caches it per app (i.e. per process), keyed by the table's revision: once per transaction
it reads a small signature of both calendar tables (row counts, the latest edit, the working-day count)
and reloads only when it changed. So an edit or a confirmed year committed by any process (the admin's
web process, the CLI) is seen by every other process from its next transaction on.
A date in a year the table does not know follows the week only and is marked provisional (暂定).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.models import CalendarChange, CalendarDay, CalendarYear


@dataclass(frozen=True)
class BusinessHours:
    """Office hours; a day limit ends when the office closes on its last day (民法典 §203)."""

    opens: time = time(8, 30)
    closes: time = time(17, 30)

    @classmethod
    def parse(cls, text: str) -> BusinessHours:
        """'08:30-17:30' -> BusinessHours(08:30, 17:30)."""
        first, _, second = text.partition("-")
        opens, closes = time.fromisoformat(first.strip()), time.fromisoformat(second.strip())
        if opens >= closes:
            raise ValueError(f"business hours must open before they close: {text!r}")
        return cls(opens, closes)

    @property
    def seconds(self) -> float:
        return (datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)).total_seconds()


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days: the week, corrected by the exceptions of the known years."""

    known_years: frozenset[int] = frozenset()
    exceptions: Mapping[date, bool] = field(default_factory=dict)  # date -> is a working day

    def is_known(self, day: date) -> bool:
        return day.year in self.known_years

    def is_workday(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def add_working_days(self, received: date, days: int) -> tuple[date, bool]:
        """The Nth working day after the day of receipt (counting starts the next day, 行政许可法 §82).

        Returns (that day, provisional): provisional when a year without data was crossed.
        """
        current, remaining, provisional = received, days, False
        while remaining > 0:
            current += timedelta(days=1)
            provisional = provisional or not self.is_known(current)
            if self.is_workday(current):
                remaining -= 1
        return current, provisional

    def next_workday(self, day: date) -> tuple[date, bool]:
        """The day itself when it is a working day, else the first working day after it."""
        current, provisional = day, not self.is_known(day)
        while not self.is_workday(current):
            current += timedelta(days=1)
            provisional = provisional or not self.is_known(current)
        return current, provisional

    def working_days_between(self, after: date, until: date) -> int:
        """How many working days lie in (after, until]."""
        count, current = 0, after
        while current < until:
            current += timedelta(days=1)
            count += self.is_workday(current)
        return count

    def workdays_from(self, start: date) -> Iterator[date]:
        """Working days from `start` (inclusive) within the next 400 days, lazily, for walking business time."""
        return (d for d in (start + timedelta(days=i) for i in range(400)) if self.is_workday(d))


# -- loading from the table, cached per app and checked against the table's revision -------------
_lock = threading.Lock()
_CACHE = "gjy_calendar"            # app.extensions key: (signature, WorkCalendar)
_CHECKED = "gjy_calendar_checked"  # session.info key: the calendar this transaction has checked already

# One round trip by primary keys: every change to the calendar is logged in calendar_changes (set, clear,
# confirm, seed: services/deadlines/calendar_admin), so the newest change's id tells a process its cache is stale.
# (It used to aggregate calendar_days, a scan of hundreds of rows on every step.) Reads no history.
_SIGNATURE = select(
    select(func.max(CalendarChange.id)).scalar_subquery(),
    select(func.max(CalendarYear.year)).scalar_subquery(),
).execution_options(reads_history=False)


def _signature() -> tuple[Any, ...]:
    # On the session's connection: a Session.execute would autoflush the step's pending rows through the
    # ORM unit of work, the cost app/direct_write.py exists to avoid (it made every step 20 % slower).
    return tuple(db.session.connection().execute(_SIGNATURE).one())


def _load() -> WorkCalendar:
    years = frozenset(db.session.scalars(select(CalendarYear.year).execution_options(reads_history=False)))
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.workday).execution_options(reads_history=False))
    return WorkCalendar(years, {day: bool(workday) for day, workday in rows.all()})


def current_calendar() -> WorkCalendar:
    """The calendar of this app's database as this transaction sees it.

    The first call in a transaction reads the tables' signature (one small query) and reloads the table
    when another process (or this one) changed it; later calls in the same transaction reuse it.
    """
    session = db.session()
    checked = session.info.get(_CHECKED)
    if checked is not None and checked[0] is session.get_transaction():
        return checked[1]
    signature = _signature()  # begins the transaction if none had begun
    extensions = current_app.extensions
    with _lock:
        hit = extensions.get(_CACHE)
    if hit is not None and hit[0] == signature:
        calendar: WorkCalendar = hit[1]
    else:
        calendar = _load()
        with _lock:
            extensions[_CACHE] = (signature, calendar)
    session.info[_CHECKED] = (session.get_transaction(), calendar)
    return calendar


def invalidate_calendar() -> None:
    """Forget the calendar this transaction checked (after a seed or an admin's edit in it): the next
    call reads the signature again and sees the edit."""
    db.session().info.pop(_CHECKED, None)
    with _lock:
        current_app.extensions.pop(_CACHE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_checked_calendar(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the next transaction checks the revision again
        session.info.pop(_CHECKED, None)


def business_hours() -> BusinessHours:
    return BusinessHours.parse(current_app.config.get("WORK_HOURS", "08:30-17:30"))


def add_working_days(received: date, days: int) -> tuple[date, bool]:
    """The Nth working day after `received` on the current calendar: (day, provisional)."""
    return current_calendar().add_working_days(received, days)
