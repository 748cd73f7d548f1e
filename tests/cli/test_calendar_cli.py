"""`flask calendar confirm YEAR` confirms only the years the calendar covers (2000–2099), and `flask calendar set|clear
DAY` changes only its days (2000-01-01 … 2099-12-31), as the calendar page does: another year or day is refused with a
message naming the range, and nothing is recorded."""
from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarChange, CalendarDay, CalendarYear

RANGE = "工作日历只能查看和录入 2000 至 2099 年"


def test_confirming_a_year_outside_the_calendar_is_refused_with_the_range(app: Flask) -> None:
    runner = app.test_cli_runner()
    for year in ("2100", "1999"):
        ran = runner.invoke(args=["calendar", "confirm", year])
        assert ran.exit_code == 1, ran.output
        assert RANGE in ran.output and "calendar_year_out_of_range" in ran.output, ran.output
        with app.app_context():
            assert db.session.get(CalendarYear, int(year)) is None
            assert db.session.scalar(select(CalendarChange).where(CalendarChange.year == int(year))) is None


def test_the_last_year_of_the_calendar_is_confirmed(app: Flask) -> None:
    ran = app.test_cli_runner().invoke(args=["calendar", "confirm", "2099"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.startswith("2099 confirmed")
    with app.app_context():
        assert db.session.get(CalendarYear, 2099) is not None


DAYS = "日期应在 2000-01-01 至 2099-12-31 之间"


def test_setting_or_clearing_a_day_outside_the_calendar_is_refused_with_the_range(app: Flask) -> None:
    """`flask calendar set|clear DAY` refuses a day outside 2000-01-01 … 2099-12-31 (as the calendar page does):
    exit status 1, the range named, nothing written or logged."""
    runner = app.test_cli_runner()
    for args in (["set", "2100-01-01", "holiday", "--name", "元旦"], ["set", "1999-12-31", "workday"],
                 ["clear", "9999-12-31"], ["clear", "0001-01-01"]):
        ran = runner.invoke(args=["calendar", *args])
        assert ran.exit_code == 1, (args, ran.output)
        assert DAYS in ran.output and "calendar_day_out_of_range" in ran.output, (args, ran.output)
        day = date.fromisoformat(args[1])
        with app.app_context():
            assert db.session.get(CalendarDay, day) is None
            assert db.session.scalar(select(CalendarChange).where(CalendarChange.day == day)) is None


def test_the_first_and_last_days_of_the_calendar_are_set_and_cleared(app: Flask) -> None:
    runner = app.test_cli_runner()
    for day in ("2000-01-01", "2099-12-31"):
        ran = runner.invoke(args=["calendar", "set", day, "workday", "--name", "调休上班"])
        assert ran.exit_code == 0, ran.output
        with app.app_context():
            assert db.session.get(CalendarDay, date.fromisoformat(day)) is not None
        ran = runner.invoke(args=["calendar", "clear", day])
        assert ran.exit_code == 0 and ran.output.strip() == "cleared", ran.output
        with app.app_context():
            assert db.session.get(CalendarDay, date.fromisoformat(day)) is None


def test_clearing_a_day_without_an_entry_says_there_was_nothing_to_clear(app: Flask) -> None:
    ran = app.test_cli_runner().invoke(args=["calendar", "clear", "2027-03-10"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip() == "2027-03-10 has no entry of its own: nothing to clear"
    with app.app_context():
        assert db.session.scalar(select(CalendarChange).where(CalendarChange.day == date(2027, 3, 10))) is None
