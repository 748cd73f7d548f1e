"""The admins' page 发送失败的通知 (/admin/deliveries, linked from every page's header with the number given up):
an escalation whose SMS the gateway refused for six hours is listed (phone masked, in Chinese and in English) and
sent again with one click, audited; an admin of another city neither sees it nor re-sends it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.standin import StandIn
from app.jobs.notify import deliver_notifications
from app.models import AuditEntry, Notification
from app.services.demo import DEMO_PHONES
from app.services.identity.accounts import create_user, get_user_by_username
from tests.notifications.test_delivery_backoff import escalated_to_the_lead, rounds, run_rounds
from tests.support.channels import sms_gateway
from tests.support.web import WebUser

__all__ = ["sms_gateway"]  # the fixture

LEAD_PHONE = DEMO_PHONES["city-nanning"]


@pytest.fixture
def given_up(app: Flask, sms_gateway: StandIn, monkeypatch: pytest.MonkeyPatch) -> int:
    """The 【超期】 notice to Nanning's lead, its SMS given up after the gateway answered 503 for six hours."""
    monkeypatch.setitem(app.config, "NOTIFY_CHANNEL", "sms")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", sms_gateway.sms_url)
    notification_id = escalated_to_the_lead(app)
    sms_gateway.mode = "down"

    def attempts() -> int:
        with app.app_context():
            return db.session.get(Notification, notification_id).delivery_attempts

    run_rounds(app, utcnow(), rounds(0, 364), attempts)
    with app.app_context():
        assert db.session.get(Notification, notification_id).delivery_status == "failed"
    return notification_id


def _row(page: str, key: str) -> str:
    found = re.search(rf'<tr data-delivery="{key}">(.*?)</tr>', page, re.S)
    assert found, page
    return found.group(1)


def test_an_admin_sees_an_escalation_given_up_and_sends_it_again(app: Flask, given_up: int,
                                                                  sms_gateway: StandIn) -> None:
    with app.app_context():
        before = db.session.get(Notification, given_up)
        title, payload = before.title, dict(before.payload)
    admin = WebUser(app, "admin").login()
    page = admin.html("/admin/deliveries")
    total = re.search(r"共 (\d+) 条", page)
    # every page's header links to it with the number given up (beside the bell: the admins' menu is full)
    header = admin.html("/").split('data-testid="undelivered-link"', 1)[1].split("</a>", 1)[0]
    assert total and f'data-count="undelivered">{total.group(1)}<' in header and "发送失败的通知" in header
    row = _row(page, f"notification-{given_up}")
    assert "【超期】" in row and "city-nanning" in row and "短信" in row and "139****" in row
    assert ">12<" in row and "503" in row and "重新发送" in row
    assert LEAD_PHONE not in page

    admin.get("/lang/en")
    english = _row(admin.html("/admin/deliveries"), f"notification-{given_up}")
    assert "[Overdue]" in english and "SMS" in english and "Re-send" in english and "【超期】" not in english
    admin.get("/lang/zh")

    path = f"/admin/deliveries/notification/{given_up}/resend"
    assert admin.post(path, csrf=False).status_code == 400
    assert admin.post(path).status_code == 302
    assert f'data-delivery="notification-{given_up}"' not in admin.html("/admin/deliveries")
    assert admin.post(path).status_code == 409  # not failed any more
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "notification.delivery_resent"))
        assert (entry.actor_name, entry.object_type, entry.object_id) == ("admin", "notification", str(given_up))
        assert entry.details["channel"] == "sms" and entry.details["kind"] == "task_overdue"

    sms_gateway.mode = "pass"  # the gateway is back: the next worker round sends it
    with app.app_context():
        deliver_notifications()
        after = db.session.get(Notification, given_up)
        assert after.delivery_status == "sent" and after.delivery_attempts == 1
        # the in-app notification was delivered all along: as it was written, still unread
        assert (after.title, after.payload, after.read_at) == (title, payload, None)
    assert [t for p, t in sms_gateway.sms if p == LEAD_PHONE][0].startswith("【桂建云】【超期】")


def test_an_admin_of_another_city_neither_sees_nor_resends_it(app: Flask, given_up: int) -> None:
    with app.app_context(), unit_of_work():
        org_id = get_user_by_username("city-liuzhou").organisation_id
        create_user("admin-liuzhou", "柳州管理员", "Admin-Passw0rd", org_id, "450200", ["admin"], phone="13807720000")
    liuzhou = WebUser(app, "admin-liuzhou").login("Admin-Passw0rd")
    assert f'data-delivery="notification-{given_up}"' not in liuzhou.html("/admin/deliveries")
    assert liuzhou.post(f"/admin/deliveries/notification/{given_up}/resend").status_code == 404
    assert 'data-count="undelivered"' not in liuzhou.html("/")  # nothing given up in his region
    with app.app_context():
        assert db.session.get(Notification, given_up).delivery_status == "failed"
    city = WebUser(app, "city-nanning").login()
    assert city.get("/admin/deliveries").status_code == 403
    assert 'data-testid="undelivered-link"' not in city.html("/tasks")


def test_the_retrying_view_lists_a_delivery_between_its_attempts(app: Flask, sms_gateway: StandIn,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "NOTIFY_CHANNEL", "sms")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", sms_gateway.sms_url)
    notification_id = escalated_to_the_lead(app)
    sms_gateway.mode = "down"
    with app.app_context():
        deliver_notifications()
    admin = WebUser(app, "admin").login()
    assert f'data-delivery="notification-{notification_id}"' not in admin.html("/admin/deliveries")
    row = _row(admin.html("/admin/deliveries?view=retrying"), f"notification-{notification_id}")
    assert ">1<" in row and "重新发送" not in row
    with app.app_context():
        due = db.session.get(Notification, notification_id).next_attempt_at
    assert due is not None and timedelta(seconds=50) < due - utcnow() <= timedelta(minutes=1)
