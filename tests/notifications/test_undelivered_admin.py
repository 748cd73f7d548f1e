"""The admins' API twin of 发送失败的通知: `GET /api/v1/notifications/undelivered` lists an applicant's SMS that the
gateway refused until it was given up (phone masked), for the admins of the applicant's region only; `POST
.../undelivered/delivery/{id}/resend` queues it again (audited, 409 once it is no longer failed), and the next
worker round sends it when the gateway is back."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.standin import StandIn
from app.jobs.notify import deliver_notifications
from app.models import AuditEntry, NotificationDelivery
from app.services.demo import DEMO_PHONES
from app.services.identity.accounts import create_user, get_user_by_username
from tests.notifications.test_delivery_backoff import applicant_sms_through, rounds, run_rounds

UNDELIVERED = "/api/v1/notifications/undelivered"


@pytest.fixture
def applicant_sms_given_up(app: Flask, as_user: Any, sms_gateway: StandIn,
                           monkeypatch: pytest.MonkeyPatch) -> int:
    sms_id, _notification_id = applicant_sms_through(app, as_user, sms_gateway, monkeypatch)
    sms_gateway.mode = "down"

    def attempts() -> int:
        with app.app_context():
            return db.session.get(NotificationDelivery, sms_id).attempts

    run_rounds(app, utcnow(), rounds(0, 364), attempts)
    return sms_id


def test_an_admin_lists_and_resends_an_applicant_s_sms_given_up(app: Flask, as_user: Any, applicant_sms_given_up: int,
                                                                sms_gateway: StandIn) -> None:
    admin = as_user("admin")
    listed = admin.get(UNDELIVERED)
    assert listed.status_code == 200
    [item] = [i for i in listed.json["items"] if i["source"] == "delivery"]
    assert item["id"] == applicant_sms_given_up and item["username"] == "ent-nanning"
    assert (item["channel"], item["address"], item["status"], item["attempts"]) == ("sms", "139****0101", "failed", 12)
    assert item["kind"] == "applicant_supplement" and item["failed_at"] and "503" in item["last_error"]
    assert DEMO_PHONES["ent-nanning"] not in listed.get_data(as_text=True)
    assert admin.get(f"{UNDELIVERED}?view=retrying").json["items"] == []

    resent = admin.post(f"{UNDELIVERED}/delivery/{applicant_sms_given_up}/resend")
    assert resent.status_code == 200 and (resent.json["status"], resent.json["attempts"]) == ("pending", 0)
    again = admin.post(f"{UNDELIVERED}/delivery/{applicant_sms_given_up}/resend")
    assert again.status_code == 409 and again.json["code"] == "delivery_not_failed"
    assert again.json["message_en"] == "Only a notification given up can be re-sent"
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "notification.delivery_resent"))
        assert (entry.object_type, entry.object_id) == ("notification_delivery", str(applicant_sms_given_up))

    sms_gateway.mode = "pass"
    with app.app_context():
        deliver_notifications()
        assert db.session.get(NotificationDelivery, applicant_sms_given_up).status == "sent"
    assert [p for p, _ in sms_gateway.sms] == [DEMO_PHONES["ent-nanning"]]


def test_an_admin_of_another_city_gets_nothing_of_it(app: Flask, as_user: Any, applicant_sms_given_up: int) -> None:
    with app.app_context(), unit_of_work():
        org_id = get_user_by_username("city-liuzhou").organisation_id
        create_user("admin-liuzhou", "柳州管理员", "Admin-Passw0rd", org_id, "450200", ["admin"], phone="13807720000")
    liuzhou = as_user("admin-liuzhou")
    assert liuzhou.get(UNDELIVERED).json == {"items": [], "total": 0, "page": 1, "per_page": 20}
    assert liuzhou.post(f"{UNDELIVERED}/delivery/{applicant_sms_given_up}/resend").status_code == 404
    assert as_user("city-nanning").get(UNDELIVERED).status_code == 403
    with app.app_context():
        assert db.session.get(NotificationDelivery, applicant_sms_given_up).status == "failed"
