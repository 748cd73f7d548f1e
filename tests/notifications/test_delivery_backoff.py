"""One retry schedule for every SMS and e-mail a notification sends, the officials' escalations (the channel of
GJY_NOTIFY_CHANNEL) and the applicants' notices alike: tried again after 1, 2, 4, ... minutes, at most an hour
apart, given up after about six hours, so that an outage of the gateway of a few hours loses nothing; the
in-app notification itself is never touched. The gateway is a real HTTP server on 127.0.0.1 that answers 503
while it is down; the worker runs under a frozen clock at each moment of the schedule and a minute before it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.standin import StandIn
from app.jobs.notify import deliver_notifications
from app.jobs.sla import refresh_deadline_states
from app.models import Notification, NotificationDelivery
from app.services.demo import DEMO_PHONES
from tests.notifications.test_applicant_notices import _unlock_submitted
from tests.procedures.steps import act_ok
from tests.support.factories import make_case, make_task, user_id

# Minutes after the first attempt at which a delivery is tried while the gateway fails: pauses of 1, 2, 4, 8,
# 16, 32 minutes, then an hour; the twelfth failure (6 h 3 min after the first attempt) gives it up.
SCHEDULE = [0, 1, 3, 7, 15, 31, 63, 123, 183, 243, 303, 363]


def rounds(first: int, last: int) -> list[int]:
    """The minutes from `first` to `last` at which the worker runs: each moment of the schedule and the minute
    before it (a round of a worker that runs every minute, or every 15 s, in between would find nothing due)."""
    return sorted({m for s in SCHEDULE for m in (s - 1, s)} & set(range(first, last + 1)) | {last})


def run_rounds(app: Flask, start: datetime, minutes: list[int], attempts: Callable[[], int]) -> list[int]:
    """The worker at start + each of `minutes`: the minutes at which `attempts()` grew."""
    tried, seen = [], attempts()
    for minute in minutes:
        with freeze_time(start + timedelta(minutes=minute)), app.app_context():
            deliver_notifications()
        if (now := attempts()) > seen:
            tried.append(minute)
            seen = now
    return tried


def escalated_to_the_lead(app: Flask) -> int:
    """A Nanning review task past its limit: the city's lead (city-nanning) is told 【超期】. Its notification."""
    now = utcnow()
    with app.app_context():
        with unit_of_work():
            case = make_case(region="450100")
            make_task(case, "review_request", "审核解锁申请", due_at=now - timedelta(hours=1),
                      warn_at=now - timedelta(hours=5), deadline_state="warning")
        refresh_deadline_states()
        notification_id = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user_id("city-nanning"), Notification.kind == "task_overdue"))
    assert notification_id is not None
    return notification_id


def applicant_sms_through(app: Flask, as_user: Any, sms_gateway: StandIn,
                          monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The applicant's SMS (delivery id, notification id) of a 补正 return, sent through `sms_gateway` (e-mail to
    memory)."""
    for key, value in {"SMS_GATEWAY": "http", "SMS_GATEWAY_URL": sms_gateway.sms_url, "SMS_GATEWAY_TIMEOUT": 2.0,
                       "MAIL_BACKEND": "memory"}.items():
        monkeypatch.setitem(app.config, key, value)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent)
    act_ok(city, case_id, {"decision": "return", "comment": "缺申请表", "missing_items": ["application_files"]})
    with app.app_context():
        sms_id, notification_id = db.session.execute(select(NotificationDelivery.id, Notification.id).join(
            Notification, Notification.id == NotificationDelivery.notification_id).where(
            Notification.case_id == case_id, NotificationDelivery.channel == "sms")).one()
    return int(sms_id), int(notification_id)


def _notification(app: Flask, notification_id: int) -> Notification:
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        assert row is not None
        db.session.expunge(row)
        return row


def test_an_escalation_to_the_lead_rides_out_an_outage_of_five_hours(
        app: Flask, sms_gateway: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "NOTIFY_CHANNEL", "sms")
    monkeypatch.setitem(app.config, "NOTIFY_SMS_URL", sms_gateway.sms_url)
    notification_id = escalated_to_the_lead(app)
    before = _notification(app, notification_id)
    sms_gateway.mode = "down"
    start = utcnow()
    attempts = lambda: _notification(app, notification_id).delivery_attempts  # noqa: E731
    with freeze_time(start), app.app_context():
        deliver_notifications()
    assert attempts() == 1
    with freeze_time(start + timedelta(seconds=30)), app.app_context():
        deliver_notifications()  # a worker round (GJY_WORKER_INTERVAL 15 s) before the pause is over
    assert attempts() == 1
    assert [0, *run_rounds(app, start, rounds(1, 300), attempts)] == SCHEDULE[:10]
    waiting = _notification(app, notification_id)
    assert waiting.delivery_status == "pending" and sms_gateway.sms == []

    sms_gateway.mode = "pass"  # the gateway is back after five hours: the next attempt (at 303 minutes) sends it
    assert run_rounds(app, start, [*rounds(301, 303), 304], attempts) == [303]
    after = _notification(app, notification_id)
    assert after.delivery_status == "sent"
    [(phone, text)] = [(p, t) for p, t in sms_gateway.sms if p == DEMO_PHONES["city-nanning"]]
    assert text.startswith("【桂建云】【超期】")
    # the in-app notification is as it was written: only its channel failed and recovered
    assert (after.title, after.body, after.payload, after.read_at) == (before.title, before.body, before.payload,
                                                                       None)


def test_an_applicant_s_sms_follows_the_same_schedule_and_is_given_up_after_six_hours(
        app: Flask, as_user: Any, sms_gateway: StandIn, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    sms_id, notification_id = applicant_sms_through(app, as_user, sms_gateway, monkeypatch)
    before = _notification(app, notification_id)
    sms_gateway.mode = "down"

    def attempts() -> int:
        with app.app_context():
            return db.session.get(NotificationDelivery, sms_id).attempts

    with caplog.at_level("WARNING", logger="app.jobs.notify"):
        assert run_rounds(app, utcnow(), rounds(0, 400), attempts) == SCHEDULE
    with app.app_context():
        sms = db.session.get(NotificationDelivery, sms_id)
        assert (sms.status, sms.attempts) == ("failed", 12) and "503" in (sms.last_error or "")
        email = db.session.scalar(select(NotificationDelivery).where(
            NotificationDelivery.notification_id == notification_id, NotificationDelivery.channel == "email"))
        assert email is not None and email.status == "sent"  # the other channel went at once
    given_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert len(given_up) == 1 and given_up[0].levelname == "ERROR"
    assert "139****0101" in given_up[0].getMessage() and DEMO_PHONES["ent-nanning"] not in caplog.text
    after = _notification(app, notification_id)
    assert (after.title, after.body, after.payload, after.read_at) == (before.title, before.body, before.payload,
                                                                       None)
