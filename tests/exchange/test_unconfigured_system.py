"""A system without an address (neither GJY_<SYSTEM>_URL nor GJY_EXCHANGE_<SYSTEM>_URL, outside demo mode) holds
its messages: they are retried as for a refused link, and the province's admins are told once (in-app, naming the
variable to set) instead of the messages failing in silence; the 数据交换 page and the API show the system as not
configured (未配置地址) while a configured one is not."""
from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Notification, User
from app.services.identity.accounts import create_user, get_user_by_username, issue_token
from tests.exchange.conftest import messages, queue
from tests.exchange.test_delivery import dispatch, later
from tests.support.api import ApiUser
from tests.support.web import WebUser, notice_item

NOT_CONFIGURED = "exchange_not_configured"
PASSWORD = "Admin-Passw0rd"


@pytest.fixture
def unconfigured_app(app: Flask) -> Flask:
    """Outside demo mode (no stand-ins), with no address for the national platform."""
    app.config.update(DEMO=False, EXCHANGE_SETTINGS={}, EXCHANGE_URLS={}, EXCHANGE_MAX_ATTEMPTS=3,
                      EXCHANGE_BACKOFF_SECONDS=5.0)
    return app


@pytest.fixture
def real_admin(unconfigured_app: Flask) -> str:
    """A province admin who is not a demo user (outside demo mode the demo users cannot sign in)."""
    with unconfigured_app.app_context(), unit_of_work():
        org_id = get_user_by_username("admin").organisation_id
        create_user("admin-real", "自治区管理员", PASSWORD, org_id, "450000", ["admin"], phone="13807710000")
    return "admin-real"


def system_row(page: str, system: str) -> str:
    """The text of a system's row of the 数据交换 page."""
    found = re.search(rf'<tr data-system="{system}">(.*?)</tr>', page, re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def notified(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).join(
            User, User.id == Notification.user_id).where(User.username == username,
                                                         Notification.kind == NOT_CONFIGURED)) or 0


def test_the_admins_are_told_once_that_a_system_has_no_address(unconfigured_app: Flask, real_admin: str) -> None:
    queue(unconfigured_app, 2, aggregate="enterprise:1")
    queue(unconfigured_app, 1, aggregate="enterprise:2", start=3)
    dispatch(unconfigured_app)
    first, held, other = messages(unconfigured_app)
    assert (first.status, first.attempts, other.status, other.attempts) == ("pending", 1, "pending", 1)
    assert "GJY_NATIONAL_PLATFORM_URL" in (first.last_error or "") and held.attempts == 0
    assert notified(unconfigured_app, real_admin) == 1 and notified(unconfigured_app, "admin") == 1
    assert notified(unconfigured_app, "city-nanning") == 0
    with later(1):
        dispatch(unconfigured_app)
    assert [m.attempts for m in messages(unconfigured_app)] == [2, 0, 2]
    assert notified(unconfigured_app, real_admin) == 1  # once, not once per message or attempt
    admin = WebUser(unconfigured_app, real_admin).login(PASSWORD)
    chinese = html.unescape(notice_item(admin.html("/notifications"), NOT_CONFIGURED))
    assert "未配置全国建筑市场监管公共服务平台（全国平台）的地址" in chinese
    assert "GJY_NATIONAL_PLATFORM_URL" in chinese and "GJY_EXCHANGE_NATIONAL_PLATFORM_URL" in chinese
    admin.get("/lang/en")
    english = html.unescape(notice_item(admin.html("/notifications"), NOT_CONFIGURED))
    assert "National construction market supervision platform" in english and "no address" in english
    assert "GJY_NATIONAL_PLATFORM_URL" in english and "未配置" not in english and "地址" not in english, english


def test_the_page_and_the_api_show_a_system_without_an_address(unconfigured_app: Flask, real_admin: str) -> None:
    unconfigured_app.config["EXCHANGE_SETTINGS"] = {"TRADING_PLATFORM_URL": "http://127.0.0.1:9"}
    admin = WebUser(unconfigured_app, real_admin).login(PASSWORD)
    page = admin.html("/admin/exchange")
    assert "未配置地址" in system_row(page, "national_platform")
    assert "未配置地址" not in system_row(page, "trading_platform")
    assert "未配置地址" not in system_row(page, "internal")
    admin.get("/lang/en")
    english = system_row(admin.html("/admin/exchange"), "national_platform")
    assert "No address configured" in english and "未配置" not in english
    with unconfigured_app.app_context(), unit_of_work():
        token = issue_token(get_user_by_username(real_admin))
    answer = unconfigured_app.test_client().get("/api/v1/exchange/systems",
                                                headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    configured = {item["system"]: item["configured"] for item in answer.json["items"]}
    assert configured["national_platform"] is False and configured["trading_platform"] is True
    assert configured["internal"] is True


def test_in_demo_mode_every_system_has_its_stand_in(app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    answer = as_user("admin").get("/api/v1/exchange/systems")
    assert all(item["configured"] for item in answer.json["items"])
    assert "未配置地址" not in WebUser(app, "admin").login().html("/admin/exchange")
