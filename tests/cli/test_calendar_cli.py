"""`flask calendar confirm YEAR` confirms only the years the calendar covers (2000–2099), as the calendar page does:
another year is refused with a message naming the range, and nothing is recorded."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import CalendarChange, CalendarYear

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
