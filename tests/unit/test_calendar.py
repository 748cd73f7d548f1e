"""The pure working-day core, on the official data, checked against the State Council notices.

Sources (the dates below are copied from the notices, not from the library):
- 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）
- 国务院办公厅关于2026年部分节假日安排的通知（published November 2025）
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.services.deadlines.calendar import BusinessHours, WorkCalendar
from app.services.deadlines.calendar_admin import _official_days
from app.services.deadlines.limits import (
    LOCAL_TZ,
    Excluded,
    check_limit_property,
    check_process_property,
    compute_deadline,
    parse_limit,
    parse_share,
    state_at,
)


def _span(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


# 2025 notice: 元旦 1 Jan; 春节 28 Jan–4 Feb (work Sun 26 Jan, Sat 8 Feb); 清明 4–6 Apr;
# 劳动节 1–5 May (work Sun 27 Apr); 端午 31 May–2 Jun; 国庆节、中秋节 1–8 Oct (work Sun 28 Sep, Sat 11 Oct).
REST_2025 = (_span("2025-01-01", "2025-01-01") | _span("2025-01-28", "2025-02-04")
             | _span("2025-04-04", "2025-04-06") | _span("2025-05-01", "2025-05-05")
             | _span("2025-05-31", "2025-06-02") | _span("2025-10-01", "2025-10-08"))
WORK_2025 = {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11)}
# 2026 notice: 元旦 1–3 Jan (work Sun 4 Jan); 春节 15–23 Feb (work Sat 14 Feb, Sat 28 Feb); 清明 4–6 Apr;
# 劳动节 1–5 May (work Sat 9 May); 端午 19–21 Jun; 中秋 25–27 Sep (work Sun 20 Sep); 国庆 1–7 Oct (work Sat 10 Oct).
REST_2026 = (_span("2026-01-01", "2026-01-03") | _span("2026-02-15", "2026-02-23")
             | _span("2026-04-04", "2026-04-06") | _span("2026-05-01", "2026-05-05")
             | _span("2026-06-19", "2026-06-21") | _span("2026-09-25", "2026-09-27")
             | _span("2026-10-01", "2026-10-07"))
WORK_2026 = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
             date(2026, 10, 10)}

HOURS = BusinessHours()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    """The calendar as `flask calendar seed` fills it: 2004–2026 from chinesecalendar."""
    official = _official_days()
    return WorkCalendar(frozenset(d.year for d in official), {d: w for d, (w, _name) in official.items()})


@pytest.mark.parametrize(("year", "rest", "work", "weekday_rest"), [
    (2025, REST_2025, WORK_2025, 18), (2026, REST_2026, WORK_2026, 19)])
def test_seeded_year_matches_the_notice_day_for_day(cal: WorkCalendar, year: int, rest: set[date],
                                                    work: set[date], weekday_rest: int) -> None:
    days = _span(f"{year}-01-01", f"{year}-12-31")
    expected = {d for d in days if (d.weekday() < 5 or d in work) and d not in rest}
    assert {d for d in days if cal.is_workday(d)} == expected
    assert len([d for d in rest if d.weekday() < 5]) == weekday_rest


@pytest.mark.parametrize(("received", "days", "due"), [
    ("2026-02-13", 3, "2026-02-25"),  # 春节 2026: make-up Sat 14 Feb counts, 15–23 Feb do not
    ("2026-02-27", 1, "2026-02-28"),  # the second 春节 make-up Saturday
    ("2025-01-24", 3, "2025-02-05"),  # 春节 2025: Sun 26 Jan, Mon 27 Jan, then Wed 5 Feb
    ("2026-09-30", 3, "2026-10-10"),  # 国庆 2026: 8, 9 Oct and make-up Sat 10 Oct
    ("2025-09-26", 3, "2025-09-30"),  # the Friday before 国庆 2025: make-up Sun 28 Sep counts
    ("2025-09-26", 5, "2025-10-10"),  # ... 1–8 Oct rest: Thu 9, Fri 10 Oct
    ("2026-04-30", 3, "2026-05-08"),  # 劳动节 2026: 1–5 May rest
    ("2026-04-30", 4, "2026-05-09"),  # ... make-up Sat 9 May
    ("2025-04-25", 1, "2025-04-27"),  # 劳动节 2025: make-up Sun 27 Apr
    ("2024-12-31", 1, "2025-01-02"),  # year end: 元旦 2025
    ("2025-12-31", 3, "2026-01-06"),  # year end: 1–3 Jan rest, make-up Sun 4 Jan, 5, 6 Jan
])
def test_nth_working_day_after_receipt(cal: WorkCalendar, received: str, days: int, due: str) -> None:
    assert cal.add_working_days(date.fromisoformat(received), days) == (date.fromisoformat(due), False)


def test_a_year_without_data_counts_weekends_only_and_is_provisional(cal: WorkCalendar) -> None:
    # 2027 is not in the table: 31 Dec, Fri 1 Jan 2027 (a guess), Mon 4 Jan.
    assert cal.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 4), True)
    entered = WorkCalendar(cal.known_years | {2027}, {**cal.exceptions, date(2027, 1, 1): False})
    assert entered.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), False)


def test_friday_1630_before_national_day_lands_on_the_right_day_and_hour(cal: WorkCalendar) -> None:
    start = datetime(2025, 9, 26, 16, 30, tzinfo=LOCAL_TZ)
    limit = parse_limit("3 working days")
    assert limit is not None
    deadline = compute_deadline(start, limit, cal, BusinessHours.parse("09:00-17:00"))
    assert deadline.due_at == datetime(2025, 9, 30, 17, 0, tzinfo=LOCAL_TZ)
    assert deadline.warn_at == datetime(2025, 9, 30, 14, 36, tzinfo=LOCAL_TZ)  # 21.6 of 24 office hours
    assert not deadline.provisional


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(cal: WorkCalendar) -> None:
    limit = parse_limit("5 calendar days")
    assert limit is not None
    deadline = compute_deadline(datetime(2026, 9, 28, 10, 0, tzinfo=LOCAL_TZ), limit, cal, HOURS)
    assert deadline.due_at == datetime(2026, 10, 8, 17, 30, tzinfo=LOCAL_TZ)  # 3 Oct is 国庆


def test_durations_run_on_the_wall_clock_and_excluded_time_extends_them(cal: WorkCalendar) -> None:
    start = datetime(2026, 10, 1, 9, 0, tzinfo=LOCAL_TZ)
    limit = parse_limit("PT4H")
    assert limit is not None
    assert compute_deadline(start, limit, cal, HOURS).due_at == start + timedelta(hours=4)
    longer = compute_deadline(start, limit, cal, HOURS, 0.5, Excluded(seconds=3600))
    # warned at half of the 4 running hours, moved by the excluded hour (not half of 4 + 1 hours)
    assert (longer.due_at, longer.warn_at) == (start + timedelta(hours=5), start + timedelta(hours=3))


def test_excluded_working_days_extend_a_working_day_limit(cal: WorkCalendar) -> None:
    limit = parse_limit("3个工作日")
    assert limit is not None
    deadline = compute_deadline(datetime(2026, 3, 2, 10, tzinfo=LOCAL_TZ), limit, cal, HOURS,
                                excluded=Excluded(workdays=2))
    assert deadline.due_at == datetime.combine(date(2026, 3, 9), time(17, 30), tzinfo=LOCAL_TZ)


def test_states_and_shares() -> None:
    due = datetime(2026, 10, 10, 17, 30, tzinfo=LOCAL_TZ)
    warn = datetime(2026, 10, 10, 14, 48, tzinfo=LOCAL_TZ)
    assert state_at(warn - timedelta(seconds=1), warn, due) == "on_time"
    assert state_at(warn, warn, due) == "warning"
    assert state_at(due + timedelta(seconds=1), warn, due) == "overdue"
    assert state_at(due, None, None) is None
    assert (parse_share("80%"), parse_share("0.75"), parse_share("abc"), parse_share("150%")) == (0.8, 0.75, 0.9, 0.9)


def test_business_hours_must_open_before_they_close() -> None:
    assert BusinessHours.parse("08:00-12:00").seconds == 4 * 3600
    with pytest.raises(ValueError):
        BusinessHours.parse("18:00-09:00")


def test_deploy_checks_name_unreadable_limits() -> None:
    assert check_limit_property("dueIn", "三天") is not None
    assert check_limit_property("clockExcluded", "maybe") is not None
    assert check_limit_property("dueIn", "PT4H") is None
    assert check_process_property("committedLimit", "10个工作日") is None
    assert check_process_property("statutoryLimit", "20 weeks") is not None
    assert check_process_property("supplementClock", "pause") is not None
