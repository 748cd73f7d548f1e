"""Working-day arithmetic over the Chinese statutory calendar (holidays and make-up workdays)."""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]


def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, known from official data). Unknown years fall back to weekends only."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(received: date, days: int) -> tuple[date, bool]:
    """The Nth working day after the day of receipt (the count starts the next day).

    Returns (due day, provisional) where provisional means a year without official data was used.
    """
    current = received
    provisional = False
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        workday, known = is_workday(current)
        provisional = provisional or not known
        if workday:
            remaining -= 1
    return current, provisional
