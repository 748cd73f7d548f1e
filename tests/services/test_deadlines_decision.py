"""A decision stops the case's clock: a temporary unlock approved on time stays 按时办结 while it waits
weeks for its re-lock date, and after; no overdue or statutory notice, no entry on the overdue dashboard."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.jobs.sla import refresh_deadline_states
from app.jobs.timers import fire_due_timers
from app.models import Notification, Person, ProjectLock
from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok, upload
from tests.support.deadlines import events, local

LATE_KINDS = {"case_overdue", "case_statutory_overdue", "case_warning", "task_overdue", "task_warning"}


def _lock_of(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                     .where(Person.name == name, ProjectLock.active.is_(True))))


def approve_temporary_unlock(app: Flask, ent: Any, city: Any, end_date: str) -> int:
    """Submitted and approved the same Monday morning: well within the 3 working days."""
    lock_id = _lock_of(app, "覃丽")
    started = ent.start("personnel_unlock")
    case_id = int(started.json["id"])
    act_ok(ent, case_id, {"kind": "temporary", "lock_ids": [lock_id], "reason": "临时参加抢险工程，需临时解锁",
                          "temporary_end_date": end_date,
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "temporary_files": [upload(ent, case_id, "建设单位同意书.pdf")]})
    act_ok(city, case_id, {"decision": "approve"})
    return case_id


def _late_notices(app: Flask, case_id: int) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Notification.kind).where(
            Notification.case_id == case_id, Notification.kind.in_(LATE_KINDS))))


def test_temporary_unlock_decided_on_time_stays_on_time_at_any_later_clock(app: Flask, as_user: Any,
                                                                          actor: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")):
        case_id = approve_temporary_unlock(app, ent, city, "2027-01-15")
    decided = ent.case(case_id)
    assert decided["status"] == "running" and decided["deadline_state"] == "completed_on_time"
    assert events(decided, "clock_") == ["clock_started", "clock_stopped"]
    for moment in ("2026-11-06 10:00", "2026-12-10 10:00", "2027-01-14 10:00"):  # days and weeks later
        with freeze_time(local(moment)), app.app_context():
            refresh_deadline_states()
            overdue = get_table(actor("supervisor"), "overdue_cases", DashboardRequest(
                first=date(2026, 11, 1), last=date(2027, 1, 31)))
        assert case_id not in [row["case_id"] for row in overdue.rows]
        assert ent.case(case_id)["deadline_state"] == "completed_on_time"
    assert _late_notices(app, case_id) == set()  # the city lead was told nothing
    page_case = ent.case(case_id)
    assert not {"deadline_overdue", "statutory_overdue"} & set(events(page_case))
    with freeze_time(local("2027-01-16 00:00:01")), app.app_context():
        assert fire_due_timers() == 1  # the lock returns; the case closes as decided: on time
    relocked = ent.case(case_id)
    assert relocked["status"] == "completed" and relocked["deadline_state"] == "completed_on_time"
    assert relocked["data"]["unlock_state"] == "relocked"


def test_a_decision_after_the_limit_stays_late(app: Flask, as_user: Any) -> None:
    """Stopping the clock keeps the truth: decided after 3 working days is 超期办结, not made good later."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "覃丽")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {"kind": "temporary", "lock_ids": [lock_id], "reason": "临时参加抢险工程，需临时解锁",
                              "temporary_end_date": "2027-01-15",
                              "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                              "temporary_files": [upload(ent, case_id, "建设单位同意书.pdf")]})
        clock.move_to(local("2026-11-09 10:00"))
        with app.app_context():
            refresh_deadline_states()
        act_ok(city, case_id, {"decision": "approve"})
    assert ent.case(case_id)["deadline_state"] == "completed_late"
    with freeze_time(local("2026-12-20 10:00")), app.app_context():
        refresh_deadline_states()
    assert ent.case(case_id)["deadline_state"] == "completed_late"
