"""The dashboard counts a case finished (办结) when the authority decided, not when it completes by itself later:
a temporary unlock (临时解锁) approved by the city in 24 hours, whose lock returns weeks later on its own, is one
case finished in the week of the decision with 24 hours of handling time, before and after the re-lock."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case, CaseClock, Person, ProjectLock
from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok, upload
from tests.support.deadlines import local

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
NOVEMBER = DashboardRequest(first=date(2026, 11, 1), last=date(2026, 11, 30))
JANUARY = DashboardRequest(first=date(2027, 1, 1), last=date(2027, 1, 31))
BOTH = DashboardRequest(first=date(2026, 11, 1), last=date(2027, 1, 31), weeks=14)


def unlock_decided_in_24_hours(app: Flask, ent: Any, city: Any) -> int:
    """Submitted on Monday 2026-11-02 10:00, approved on Tuesday 10:00; the lock returns after 2027-01-15."""
    with app.app_context():
        lock_id = db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                    .where(Person.name == "覃丽", ProjectLock.active.is_(True)))
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {"kind": "temporary", "lock_ids": [lock_id], "reason": "临时参加抢险工程，需临时解锁",
                              "temporary_end_date": "2027-01-15",
                              "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                              "temporary_files": [upload(ent, case_id, "建设单位同意书.pdf")]})
        clock.move_to(local("2026-11-03 10:00"))
        act_ok(city, case_id, {"decision": "approve"})
    return case_id


def unlock_row(app: Flask, actor: Any, name: str, request: DashboardRequest, moment: str) -> dict[str, Any] | None:
    with freeze_time(local(moment)), app.app_context():
        rows = get_table(actor("supervisor"), name, request).rows
    key = "procedure" if name == "by_procedure" else "region_code"
    return next((r for r in rows if r[key] == ("personnel_unlock" if name == "by_procedure" else "450100")), None)


def trend(app: Flask, actor: Any, moment: str) -> dict[date, tuple[int, int]]:
    with freeze_time(local(moment)), app.app_context():
        rows = get_table(actor("supervisor"), "trend", BOTH).rows
    return {r["week"]: (r["completed"], r["completed_late"]) for r in rows}


def assert_finished_on_the_decision(app: Flask, actor: Any, moment: str) -> None:
    for name in ("by_procedure", "by_region"):
        row = unlock_row(app, actor, name, NOVEMBER, moment)
        assert row is not None, name
        assert (row["completed"], row["on_time"], row["late"]) == (1, 1, 0)
        assert (row["median_hours"], row["p90_hours"]) == (24.0, 24.0)  # not the 75 days until the re-lock
        assert unlock_row(app, actor, name, JANUARY, moment) is None  # nothing was decided in January
        over_both = unlock_row(app, actor, name, BOTH, moment)
        assert over_both is not None and (over_both["completed"], over_both["median_hours"]) == (1, 24.0)
    weeks = trend(app, actor, moment)
    assert weeks[date(2026, 11, 2)] == (1, 0)  # the week of the decision
    assert sum(completed for completed, _ in weeks.values()) == 1


def test_a_temporary_unlock_is_finished_when_the_city_decides(app: Flask, as_user: Any, actor: Any) -> None:
    case_id = unlock_decided_in_24_hours(app, as_user("ent-nanning"), as_user("city-nanning"))
    assert as_user("ent-nanning").case(case_id)["status"] == "running"  # it waits for its re-lock date
    assert_finished_on_the_decision(app, actor, "2026-11-20 10:00")  # while it waits
    with freeze_time(local("2027-01-16 00:00:01")), app.app_context():
        assert fire_due_timers() == 1  # the lock returns by itself: the case completes now
    assert as_user("ent-nanning").case(case_id)["status"] == "completed"
    assert_finished_on_the_decision(app, actor, "2027-01-20 10:00")  # and after it completed
    with freeze_time(local("2027-01-20 10:00")), app.app_context():
        open_cases = get_table(actor("supervisor"), "open_cases", NOVEMBER).rows
    assert not [r for r in open_cases if r["procedure"] == "personnel_unlock"]  # never open work after deciding


@pytest.mark.committing
def test_the_migration_gives_cases_decided_before_it_their_decision(app: Flask, as_user: Any) -> None:
    """Migration a4d8e2c7f1b3 fills cases.finished_at for the cases that exist: from the clock's decision, else
    the completion; the decided case counts on its decision afterwards, as a new one does."""
    case_id = unlock_decided_in_24_hours(app, as_user("ent-nanning"), as_user("city-nanning"))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(directory=str(MIGRATIONS), revision="3c9e1f7a2b64")  # before the column existed
        upgrade(directory=str(MIGRATIONS))
        decided = db.session.scalar(select(CaseClock.paused_at).where(CaseClock.case_id == case_id))
        finished = db.session.scalar(select(Case.finished_at).where(Case.id == case_id))
        completed = db.session.execute(select(Case.completed_at, Case.finished_at)
                                       .where(Case.status == "completed")).all()
    assert decided is not None and finished == decided == local("2026-11-03 10:00")
    assert all(row.finished_at == row.completed_at for row in completed)
