"""Case and task clocks with a frozen clock: warning, overdue, escalation and reassignment, statutory flag.

The probe procedure (tests/fixtures/deadlines/bpmn/clock_probe.bpmn): committed limit 3 working days,
statutory 20 working days, warning at 90 %, review task `dueIn` 3 working days.
"""
from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.jobs.sla import refresh_deadline_states
from app.models import Organisation, Role
from app.services.demo import DEMO_PASSWORD
from app.services.identity.accounts import create_user
from tests.procedures.steps import act_ok
from tests.support.deadlines import deploy_probes, events, local, start_and_submit, utc_iso


@pytest.fixture
def probes(app: Any) -> None:
    deploy_probes(app)


def _refresh(app: Any) -> int:
    with app.app_context():
        return refresh_deadline_states()


def _notes(user: Any) -> dict[str, Any]:
    response = user.get("/api/v1/notifications")
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_received_before_national_day_is_due_on_the_make_up_saturday(as_user: Any, probes: None) -> None:
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-30 10:00")):
        case = ent.case(start_and_submit(ent))
    # 国办: 2026 National Day 1–7 Oct rest, Sat 10 Oct a make-up workday: 8, 9, 10 Oct are days 1–3.
    assert case["due_at"] == utc_iso("2026-10-10 17:30")
    # 90 % of 3 office days of 9 h = 24.3 h: two full days, then 6 h 18 min into 10 Oct.
    assert case["warn_at"] == utc_iso("2026-10-10 14:48")
    assert case["statutory_due_at"] == utc_iso("2026-11-03 17:30")  # 20 working days
    assert case["deadline_state"] == "on_time" and case["deadline_provisional"] is False
    review = case["open_tasks"][0]
    assert (review["due_at"], review["deadline_state"]) == (utc_iso("2026-10-10 17:30"), "on_time")
    assert "clock_started" in events(case)


def test_warning_then_overdue_notifies_holder_then_lead_who_reassigns(app: Any, as_user: Any, probes: None) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-09-30 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-10-09 16:00"))
        assert _refresh(app) == 0  # day 2 of 3: on time
        clock.move_to(local("2026-10-10 15:00"))
        assert _refresh(app) == 2  # task and case enter warning (黄牌)
        assert _refresh(app) == 0  # a second run changes nothing, notifies nobody again
        case = city.case(case_id)
        assert case["deadline_state"] == "warning" and case["open_tasks"][0]["deadline_state"] == "warning"
        warned = _notes(city)
        assert {"task_warning", "case_warning"} <= {n["kind"] for n in warned["items"]}
        assert warned["unread_count"] == 2
        clock.move_to(local("2026-10-12 09:00"))
        assert _refresh(app) == 2  # overdue (红牌)
        case = city.case(case_id)
        assert case["deadline_state"] == "overdue"
        assert events(case, "deadline_") == ["deadline_warning", "deadline_warning", "deadline_overdue",
                                              "deadline_overdue"]
        kinds = [n["kind"] for n in _notes(city)["items"]]
        assert "task_overdue" in kinds and "case_overdue" in kinds  # city-nanning is the region's lead
        # The lead reassigns the overdue review to another reviewer of the region.
        with app.app_context(), unit_of_work():
            org_id = db.session.scalar(select(Organisation.id).where(
                Organisation.region_code == "450100", Organisation.kind == "authority"))
            other = create_user("city-nanning-2", "南宁市住建局·审核员二", DEMO_PASSWORD, org_id, "450100",
                                [Role.CITY_REVIEWER.value])
            other_id = other.id
        task_id = case["open_tasks"][0]["id"]
        assigned = city.post(f"/api/v1/tasks/{task_id}/assign", {"user_id": other_id})
        assert assigned.status_code == 200, assigned.json
        assert assigned.json["assignee"]["username"] == "city-nanning-2"


def test_statutory_limit_is_a_separate_flag(app: Any, as_user: Any, probes: None) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-09-30 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-11-03 17:00"))
        _refresh(app)
        assert city.case(case_id)["statutory_overdue"] is False
        clock.move_to(local("2026-11-04 09:00"))
        _refresh(app)
        case = city.case(case_id)
    assert case["statutory_overdue"] is True and case["deadline_state"] == "overdue"
    assert events(case, "statutory") == ["statutory_overdue"]
    assert "case_statutory_overdue" in {n["kind"] for n in _notes(city)["items"]}


def test_completion_records_on_time_or_late(app: Any, as_user: Any, probes: None) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-09-30 10:00")) as clock:
        on_time, late = start_and_submit(ent), start_and_submit(ent)
        clock.move_to(local("2026-10-09 11:00"))
        act_ok(city, on_time, {"decision": "approve"})
        clock.move_to(local("2026-10-12 11:00"))
        act_ok(city, late, {"decision": "approve"})
    assert city.case(on_time)["deadline_state"] == "completed_on_time"
    done = city.case(late)
    assert done["status"] == "completed" and done["deadline_state"] == "completed_late"
    assert city.tasks("done")[0]["deadline_state"] in ("completed_on_time", "completed_late")
