"""The admin's calendar page: a change says how many deadlines moved, and the log shows who did what."""
from __future__ import annotations

from typing import Any


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
