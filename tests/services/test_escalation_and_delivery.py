"""Who is told that a case is late, and delivery of notifications with two workers on one database.

Two workers are two app instances (`make_app`): their own engines, connections and sessions, as two
processes would have.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask, current_app
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.notify import OutgoingMessage
from app.jobs import notify as notify_job
from app.jobs.sla import refresh_deadline_states
from app.models import CaseClock, Notification, Role
from app.services.notifications import Note, claim_delivery, notify, users_with_role
from tests.support.factories import make_case, make_task, user_id


def _kinds(username: str) -> set[str]:
    return set(db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id(username))))


def test_a_late_case_is_also_escalated_to_the_lead_over_its_open_step(app: Flask) -> None:
    """A Liuzhou case whose open step is held by the province: the province's lead can reassign it."""
    now = utcnow()
    with app.app_context():
        with unit_of_work():
            case = make_case(region="450200", deadline_state="on_time", due_at=now - timedelta(hours=2),
                             warn_at=now - timedelta(hours=5), statutory_due_at=now - timedelta(hours=1))
            db.session.add(CaseClock(case_id=case.id, started_at=now - timedelta(days=30),
                                     committed_limit="3 working days", statutory_limit="20 working days"))
            make_task(case, "province_review", "审定", region="450000", role="province_reviewer")
        assert refresh_deadline_states() == 2  # overdue, and past the statutory limit
        assert {"case_overdue", "case_statutory_overdue"} <= _kinds("province")  # the lead over the step
        assert {"case_overdue", "case_statutory_overdue"} <= _kinds("city-liuzhou")  # the case's own region
        assert "case_overdue" not in _kinds("city-nanning")


class Recorder:
    """A channel: what was sent, and by which worker (app)."""

    def __init__(self, sent: list[tuple[str, str]], during_send: Callable[[], None] | None = None) -> None:
        self.sent, self.during_send = sent, during_send

    def send(self, message: OutgoingMessage) -> None:
        if self.during_send is not None:
            self.during_send()  # the other worker runs while this one is sending
        self.sent.append((current_app.name + str(id(current_app)), message.recipient))


def _admin_notification(app: Flask) -> int:
    with app.app_context(), unit_of_work():
        created = notify(users_with_role(Role.ADMIN), Note("test_note", "测试通知", key="once"))
        return created[0].id


@pytest.mark.committing  # two apps: the second worker must see the first one's committed claim
def test_two_workers_never_send_the_same_notification(make_app: Callable[[], Flask],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = make_app(), make_app()
    notification_id = _admin_notification(first)
    sent: list[tuple[str, str]] = []
    seen_by_second: list[int] = []

    def second_worker_round() -> None:
        with second.app_context():
            seen_by_second.append(notify_job.deliver_notifications())

    channels = {id(first): Recorder(sent, second_worker_round), id(second): Recorder(sent)}
    monkeypatch.setattr(notify_job, "make_channel", lambda config: channels[id(current_app._get_current_object())])
    with first.app_context():
        assert notify_job.deliver_notifications() == 1
        assert notify_job.deliver_notifications() == 0  # sent: nothing left
    assert seen_by_second == [0]  # the second worker found it claimed while the first was sending
    assert [recipient for _, recipient in sent] == ["admin"]
    with second.app_context():
        row = db.session.get(Notification, notification_id)
        assert (row.delivery_status, row.delivery_attempts) == ("sent", 1)


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_later(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    first = app  # one worker: the dead one and the one taking over are rounds of the same app
    notification_id = _admin_notification(first)
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(notify_job, "make_channel", lambda config: Recorder(sent))
    start = utcnow()
    with freeze_time(start), first.app_context(), unit_of_work():
        assert claim_delivery(notification_id) is not None  # ... and the worker is killed before it sends
    with freeze_time(start + timedelta(minutes=5)), first.app_context():
        assert notify_job.deliver_notifications() == 0  # still being sent, as far as anyone can tell
    with freeze_time(start + timedelta(minutes=11)), first.app_context():
        assert notify_job.deliver_notifications() == 1  # taken over
        row = db.session.get(Notification, notification_id)
        assert (row.delivery_status, row.delivery_attempts) == ("sent", 2)
    assert [recipient for _, recipient in sent] == ["admin"]


def test_a_case_with_only_a_statutory_limit_is_not_told_of_a_committed_one(app: Flask) -> None:
    """The unlock commits to no limit of its own: its notices name the statutory limit (法定时限), once."""
    now = utcnow()
    with app.app_context():
        with unit_of_work():
            case = make_case(region="450200", deadline_state="on_time", due_at=now - timedelta(hours=1),
                             warn_at=now - timedelta(hours=5), statutory_due_at=now - timedelta(hours=1))
            db.session.add(CaseClock(case_id=case.id, started_at=now - timedelta(days=10),
                                     committed_limit=None, statutory_limit="3 working days"))
            make_task(case, "review", "审核", region="450200", role="city_reviewer")
        refresh_deadline_states()
        titles = list(db.session.scalars(select(Notification.title).where(
            Notification.user_id == user_id("city-liuzhou"))))
        assert titles and not any("承诺时限" in t for t in titles), titles
        assert sum("超过法定时限" in t for t in titles) == 1, titles
