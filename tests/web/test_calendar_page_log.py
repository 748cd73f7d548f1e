"""The admin's calendar page: a change says how many deadlines moved, and the log shows who did what."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from app.extensions import db
from app.models import CalendarDay
from tests.support.web import WebUser


def test_the_admin_page_sets_a_day_and_shows_the_log(web: Any) -> None:
    admin = web("admin")
    response = admin.post("/admin/calendar/days", {"day": "2031-03-03", "kind": "holiday", "name": "台风停工",
                                                   "year": "2031"})
    assert response.status_code == 302
    page = admin.html("/admin/calendar?year=2031")
    assert "2031-03-03 已更新，0 个办件的办理时限已按新日历重新计算" in page
    log = page.split('data-testid="calendar-changes"')[1]
    assert "系统管理员" in log and "设置日期" in log
    assert "放假：<span data-user-text>台风停工</span>" in log  # the name the admin wrote: data, shown as written


def test_the_log_of_the_official_holidays_import_shows_no_none(web: Any, app: Any) -> None:
    from app.db import unit_of_work
    from app.services.deadlines.calendar_admin import seed_official_calendar

    with app.app_context(), unit_of_work():
        seed_official_calendar()
    log = web("admin").html("/admin/calendar").split('data-testid="calendar-changes"')[1]
    assert "导入国务院公布的节假日" in log and "None" not in log


def test_a_day_name_longer_than_it_may_be_is_refused_not_cut(app: Flask) -> None:
    """A name over 50 characters (the page's limit is the browser's only) was cut silently."""
    admin = WebUser(app, "admin").login()
    answer = admin.post("/admin/calendar/days", {"day": "2031-03-04", "kind": "holiday", "name": "台" * 51,
                                                 "year": "2031"})
    assert answer.status_code == 302
    assert "名称最多 50 个字" in admin.html("/admin/calendar?year=2031")
    with app.app_context():
        assert db.session.get(CalendarDay, date(2031, 3, 4)) is None
