"""Working-day arithmetic over the calendar table (holidays, make-up workdays, local closures).

The core (`WorkCalendar`, `BusinessHours`) is pure and needs no database; `current_calendar()` loads
the table and caches it per app (i.e. per process), keyed by the table's revision: each call reads a small
signature (the newest logged change, the newest year: one query by primary keys) and reloads only when it
changed. So an edit or a confirmed year committed by any process (the admin's web process, the CLI) is
seen by every other process from its next read on. A step reads it once and passes it down.
A date in a year the table does not know follows the week only and is marked provisional (暂定).
"""
from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

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
        """Working days from `start` (inclusive), lazily and without end, for walking business time: the caller
        stops (a limit's warning point, at most limits.MAX_WORKING_DAYS on; it used to stop after 400 days, which
        put the warning of a limit above about 280 working days a year after receipt)."""
        return (d for d in (start + timedelta(days=i) for i in itertools.count()) if self.is_workday(d))


# -- loading from the table, cached per app and checked against the table's revision -------------
_lock = threading.Lock()
_CACHE = "gjy_calendar"  # app.extensions key: (signature, WorkCalendar)

# One round trip by primary keys: every change to the calendar is logged in calendar_changes (set, clear,
# confirm, seed: services/deadlines/calendar_admin), so the newest change's id tells a process its cache is stale.
# (It used to aggregate calendar_days, a scan of hundreds of rows on every step.)
# Also as columns of another statement (a completion's read of its task: services/tasks/work.py), so that a
# step whose caller read them does not read them again (`calendar_of`).
SIGNATURE_COLUMNS = (select(func.max(CalendarChange.id)).scalar_subquery().label("calendar_change"),
                     select(func.max(CalendarYear.year)).scalar_subquery().label("calendar_year"))
_SIGNATURE = select(*SIGNATURE_COLUMNS)


def _load() -> WorkCalendar:
    years = frozenset(db.session.scalars(select(CalendarYear.year)))
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.workday))
    return WorkCalendar(years, {day: bool(workday) for day, workday in rows.all()})


def current_calendar() -> WorkCalendar:
    """The calendar of this app's database as this transaction sees it: the signature read (one small
    query, not flushing what the caller has pending), the table reloaded when another process (or this
    one) changed it."""
    with db.session.no_autoflush:
        signature: tuple[Any, ...] = tuple(db.session.execute(_SIGNATURE).one())
    return calendar_of(signature)


def calendar_of(signature: tuple[Any, ...]) -> WorkCalendar:
    """The calendar whose signature (SIGNATURE_COLUMNS' values, read in this transaction) is `signature`: this
    process's cached one, or the table reloaded."""
    extensions = current_app.extensions
    with _lock:
        hit = extensions.get(_CACHE)
    if hit is not None and hit[0] == signature:
        calendar: WorkCalendar = hit[1]
    else:
        with db.session.no_autoflush:  # a read of the calendar does not flush what the caller's step has pending
            calendar = _load()
        with _lock:
            extensions[_CACHE] = (signature, calendar)
    return calendar


def forget_calendar() -> None:
    """Drop this process's cached calendar (the database behind the app was replaced: tests)."""
    with _lock:
        current_app.extensions.pop(_CACHE, None)


def business_hours() -> BusinessHours:
    return BusinessHours.parse(current_app.config.get("WORK_HOURS", "08:30-17:30"))


def add_working_days(received: date, days: int) -> tuple[date, bool]:
    """The Nth working day after `received` on the current calendar: (day, provisional)."""
    return current_calendar().add_working_days(received, days)
