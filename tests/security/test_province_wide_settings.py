"""What every city shares is the province admins' to change: a city admin (whose accounts and tokens end at
his region) added a holiday that moved every city's deadlines, rolled a procedure back for the whole province
and read every region's exchange messages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from app.db import unit_of_work
from app.errors import NotAllowed
from app.models import Role
from app.services.deadlines import calendar_admin
from app.services.exchange import admin as exchange_admin
from app.services.identity.accounts import create_user, get_user_by_username
from tests.support.api import ApiUser


def _city_admin(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        create_user("admin-nn", "南宁市住建局·管理员", "Another-Passw0rd!",
                    get_user_by_username("city-nanning").organisation_id, "450100", [Role.ADMIN],
                    phone="13907719901")


def test_a_city_admin_changes_nothing_the_whole_province_shares(app: Flask,
                                                                 as_user: Callable[[str], ApiUser]) -> None:
    _city_admin(app)
    with app.app_context():
        city_admin = get_user_by_username("admin-nn")
        for change in (lambda: calendar_admin.set_day(city_admin, date(2027, 3, 8), False, "地方休假"),
                       lambda: calendar_admin.confirm_year(city_admin, 2027),
                       lambda: exchange_admin.list_messages(city_admin)):
            with pytest.raises(NotAllowed) as refused, unit_of_work():
                change()
            assert refused.value.code == "province_admin_only"
    rollback = as_user("admin-nn").post("/api/v1/procedures/personnel_unlock/current",
                                        {"version": 1, "note": "回退"})
    assert rollback.status_code == 403 and rollback.json["code"] == "procedures_not_allowed"
    assert as_user("admin").get("/api/v1/procedures/personnel_unlock").status_code == 200  # the province's may


def test_a_city_admin_reads_the_calendar_page_without_forms_whose_changes_are_refused(app: Flask) -> None:
    from tests.support.web import WebUser

    _city_admin(app)
    city_page = WebUser(app, "admin-nn").login("Another-Passw0rd!").html("/admin/calendar?year=2027")
    assert "工作日历 · 2027 年" in city_page and 'data-testid="calendar-days"' in city_page
    assert "由自治区管理员维护" in city_page
    assert 'action="/admin/calendar/days"' not in city_page and "/admin/calendar/years/" not in city_page
    assert "请按国务院办公厅通知录入" not in city_page  # told to enter the year, then that he may not
    province_page = WebUser(app, "admin").login().html("/admin/calendar?year=2027")
    assert 'action="/admin/calendar/days"' in province_page and "由自治区管理员维护" not in province_page


def test_only_the_province_s_admins_are_asked_to_enter_a_missing_year(app: Flask,
                                                                       as_user: Callable[[str], ApiUser]) -> None:
    """A city admin was told 请录入 2027 年节假日安排, which he may not do (province_admin_only)."""
    from freezegun import freeze_time

    from tests.support.deadlines import deploy_probes, local, start_and_submit
    _city_admin(app)
    deploy_probes(app)
    with freeze_time(local("2026-12-30 10:00")):
        start_and_submit(as_user("ent-nanning"))  # its deadline crosses into 2027, not entered yet

    def asked(username: str) -> list[int]:
        items = as_user(username).get("/api/v1/notifications").json["items"]
        return [n["payload"]["year"] for n in items if n["kind"] == "calendar_year_missing"]
    assert asked("admin") == [2027] and asked("admin-nn") == []
