"""The calendar page offers only the years whose days can be saved (2000–2099, as searches clamp their days): a
URL asking for another year says so in Chinese and shows the nearest year that can be edited."""
from __future__ import annotations

from typing import Any

from flask import Flask

from app.extensions import db
from app.models import CalendarYear
from tests.support.web import WebUser

RANGE = "工作日历只能查看和录入 2000 至 2099 年"


def test_the_last_year_offers_no_next_one(web: Any) -> None:
    page = web("admin").html("/admin/calendar?year=2099")
    assert "工作日历 · 2099 年" in page
    assert "year=2100" not in page and "2100 ›" not in page
    first = web("admin").html("/admin/calendar?year=2000")
    assert "工作日历 · 2000 年" in first and "year=1999" not in first


def test_a_year_out_of_range_is_refused_with_a_message(web: Any) -> None:
    admin = web("admin")
    for asked, shown in (("2100", "2099"), ("9999", "2099"), ("1999", "2000"), ("-3", "2000"), ("1" * 5000, "2099")):
        answer = admin.get(f"/admin/calendar?year={asked}")
        assert answer.status_code == 302, asked
        assert answer.headers["Location"].endswith(f"/admin/calendar?year={shown}"), asked
        page = admin.html(answer.headers["Location"])
        assert RANGE in page and f"工作日历 · {shown} 年" in page, asked


def test_a_year_out_of_range_is_not_confirmed(app: Flask) -> None:
    admin = WebUser(app, "admin").login()
    answer = admin.post("/admin/calendar/years/2100/confirm")
    assert answer.status_code == 302
    assert RANGE in admin.html(answer.headers["Location"])
    with app.app_context():
        assert db.session.get(CalendarYear, 2100) is None
    assert admin.post(f"/admin/calendar/years/{'9' * 5000}/confirm").status_code == 404  # names no year
