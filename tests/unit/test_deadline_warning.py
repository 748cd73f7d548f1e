"""The warning point after a pause: `share` of the limit as it ran, moved by the excluded time (pure, no DB).

Before, the share was applied to the limit plus the pause, so a long 补正 pause brought the warning
(黄牌) days early.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.services.deadlines.calendar import BusinessHours, WorkCalendar
from app.services.deadlines.limits import Excluded, Limit, compute_deadline

LOCAL = ZoneInfo("Asia/Shanghai")
WEEK_ONLY = WorkCalendar(frozenset({2026}))  # no holidays in March 2026
HOURS = BusinessHours()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def test_working_days_warn_at_share_of_the_limit_then_move_by_the_paused_working_days() -> None:
    received = local("2026-03-02 10:00")  # Monday
    plain = compute_deadline(received, Limit(3, "working_days"), WEEK_ONLY, HOURS, 0.9)
    assert (plain.due_at, plain.warn_at) == (local("2026-03-05 17:30"), local("2026-03-05 14:48"))
    # Paused for 5 working days (4, 5, 6, 9, 10 Mar): both moments move by exactly those days.
    paused = compute_deadline(received, Limit(3, "working_days"), WEEK_ONLY, HOURS, 0.9, Excluded(workdays=5))
    assert paused.due_at == local("2026-03-12 17:30")
    assert paused.warn_at == local("2026-03-12 14:48")  # not 03-12 10:18 (90 % of 3 + 5 days)


def test_calendar_days_warn_at_share_of_the_limit_then_move_by_the_paused_days() -> None:
    received = local("2026-03-02 10:00")
    paused = compute_deadline(received, Limit(10, "calendar_days"), WEEK_ONLY, HOURS, 0.9, Excluded(days=5))
    assert paused.due_at == local("2026-03-17 17:30")  # 12 Mar + 5 days
    # 90 % of 10 days 7.5 hours from receipt is 11 Mar 16:45; the pause moves it 5 days on.
    assert paused.warn_at == local("2026-03-16 16:45")


def test_durations_warn_at_share_of_the_duration_then_move_by_the_paused_seconds() -> None:
    start = local("2026-03-02 10:00")
    paused = compute_deadline(start, Limit(0, "duration", timedelta(hours=10)), WEEK_ONLY, HOURS, 0.9,
                              Excluded(seconds=24 * 3600))
    assert paused.due_at == start + timedelta(hours=34)
    assert paused.warn_at == start + timedelta(hours=33)  # 9 h of running time, then the 24 h pause


def test_no_pause_gives_the_same_moments_as_before() -> None:
    received = local("2026-03-02 10:00")
    for limit in (Limit(3, "working_days"), Limit(10, "calendar_days"),
                  Limit(0, "duration", timedelta(hours=10))):
        assert compute_deadline(received, limit, WEEK_ONLY, HOURS, 0.9) == compute_deadline(
            received, limit, WEEK_ONLY, HOURS, 0.9, Excluded())


def _official(year: int) -> WorkCalendar:
    """The calendar of `year` as the State Council published it (chinesecalendar)."""
    import chinese_calendar
    exceptions = {d: False for d in chinese_calendar.holidays if d.year == year}
    exceptions |= {d: True for d in chinese_calendar.workdays if d.year == year}
    return WorkCalendar(frozenset({year}), exceptions)


def test_a_calendar_day_limit_warns_in_office_time_not_at_night() -> None:
    received = local("2026-12-08 10:23")  # Tuesday; 5 days: Sunday the 13th, so Monday the 14th 17:30
    deadline = compute_deadline(received, Limit(5, "calendar_days"), _official(2026), HOURS, 0.9)
    assert deadline.due_at == local("2026-12-14 17:30")
    # 90 % of the time falls at 02:23 on Monday: the warning comes at the last office moment before it
    assert deadline.warn_at == local("2026-12-11 17:30")


def test_a_calendar_day_limit_does_not_warn_during_a_holiday() -> None:
    received = local("2026-09-30 16:00")  # National Day follows
    deadline = compute_deadline(received, Limit(5, "calendar_days"), _official(2026), HOURS, 0.9)
    warn = deadline.warn_at.astimezone(LOCAL)
    assert _official(2026).is_workday(warn.date()) and HOURS.opens <= warn.time() <= HOURS.closes
    assert received <= deadline.warn_at <= deadline.due_at


def test_a_calendar_day_warning_computed_before_the_first_office_hour_comes_when_the_office_opens() -> None:
    received = local("2026-03-07 10:00")  # Saturday; 1 day: Sunday, so Monday 17:30
    deadline = compute_deadline(received, Limit(1, "calendar_days"), WEEK_ONLY, HOURS, 0.3)
    assert deadline.due_at == local("2026-03-09 17:30")
    assert deadline.warn_at == local("2026-03-09 08:30")  # 30 % falls on Sunday: not Friday, before receipt
