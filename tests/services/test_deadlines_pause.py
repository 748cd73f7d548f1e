"""Clock pauses: 补正 (supplement) resumes or restarts per procedure; excluded steps (专家评审) stop the clock.

Both probes: committed 3 working days. clock_probe resumes after a supplement, clock_probe_restart
restarts ("从收到补充材料的次日起计算").
"""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time

from app.db import unit_of_work
from app.jobs.sla import refresh_deadline_states
from app.services.deadlines import calendar_admin
from tests.procedures.steps import act_ok
from tests.support.deadlines import deploy_probes, events, local, start_and_submit, utc_iso


@pytest.fixture
def probes(app: Any) -> None:
    deploy_probes(app)


def _supplement_round(ent: Any, city: Any, procedure: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Received Mon 2 Mar 2026, supplement asked Tue 3 Mar, resubmitted Tue 10 Mar: (while paused, after)."""
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent, procedure)
        assert ent.case(case_id)["due_at"] == utc_iso("2026-03-05 17:30")
        clock.move_to(local("2026-03-03 10:00"))
        act_ok(city, case_id, {"decision": "supplement"})
        paused = city.case(case_id)
        clock.move_to(local("2026-03-10 10:00"))
        act_ok(ent, case_id, {"note": "已补正"})
        return paused, city.case(case_id)


def test_supplement_pauses_and_resubmission_resumes_the_clock(app: Any, as_user: Any, probes: None) -> None:
    paused, resumed = _supplement_round(as_user("ent-nanning"), as_user("city-nanning"), "clock_probe")
    assert paused["status"] == "waiting_for_applicant" and paused["deadline_state"] == "paused"
    assert events(paused, "clock_") == ["clock_started", "clock_paused"]
    with freeze_time(local("2026-03-20 10:00")), app.app_context():
        refresh_deadline_states()  # a paused case is never moved to warning or overdue
    # 4, 5, 6, 9 and 10 Mar did not count: 3 + 5 working days after 2 Mar.
    assert resumed["due_at"] == utc_iso("2026-03-12 17:30")
    assert resumed["deadline_state"] == "on_time"
    pause_events = [e for e in resumed["history"] if e["kind"].startswith("clock_")]
    assert [e["kind"] for e in pause_events] == ["clock_started", "clock_paused", "clock_resumed"]
    assert pause_events[1]["payload"] == {"reason": "supplement"}
    assert pause_events[2]["payload"]["mode"] == "resume" and pause_events[2]["payload"]["excluded_workdays"] == 5


def test_the_review_after_a_resubmission_ends_no_later_than_the_case(app: Any, as_user: Any, probes: None) -> None:
    """Resubmitted Tue 10 Mar, the case has what was left of its 3 days (due Thu 12 Mar); the review's own
    3 working days from the resubmission ran to Fri 13 Mar, past the case, its warning too."""
    _paused, resumed = _supplement_round(as_user("ent-nanning"), as_user("city-nanning"), "clock_probe")
    [review] = resumed["open_tasks"]
    assert resumed["due_at"] == utc_iso("2026-03-12 17:30")
    assert review["due_at"] == resumed["due_at"]


def test_restart_procedure_counts_again_from_the_day_after_resubmission(as_user: Any, probes: None) -> None:
    _, restarted = _supplement_round(as_user("ent-nanning"), as_user("city-nanning"), "clock_probe_restart")
    assert restarted["due_at"] == utc_iso("2026-03-13 17:30")  # 11, 12, 13 Mar
    assert restarted["history"][-1]["kind"] != "clock_paused"
    assert [e["payload"].get("mode") for e in restarted["history"] if e["kind"] == "clock_resumed"] == ["restart"]


def test_expert_review_is_excluded_time(as_user: Any, probes: None) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-03-03 10:00"))
        act_ok(city, case_id, {"decision": "expert"})
        paused = city.case(case_id)
        clock.move_to(local("2026-03-05 16:00"))
        act_ok(city, case_id, {"ok": True})  # the expert review ends two working days later
        resumed = city.case(case_id)
    assert paused["status"] == "running" and paused["deadline_state"] == "paused"
    pause = next(e for e in paused["history"] if e["kind"] == "clock_paused")
    assert pause["payload"] == {"reason": "excluded"} and pause["step"] == "专家评审"
    assert resumed["due_at"] == utc_iso("2026-03-09 17:30")  # 4 and 5 Mar excluded: 3 + 2 working days
    assert resumed["deadline_state"] == "on_time"


def test_a_closure_entered_later_inside_an_ended_supplement_is_not_excluded_twice(
        app: Any, as_user: Any, probes: None) -> None:
    """Paused 3–10 Mar (5 working days excluded), due Thu 12 Mar. Thu 5 Mar declared a closure on 11 Mar: it was
    inside the pause, so the case lost no working day; the deadline stays Thu 12 Mar (it moved to Fri 13 Mar,
    the closure counted once by the calendar and once more in the pause's count)."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    _paused, resumed = _supplement_round(ent, city, "clock_probe")
    assert resumed["due_at"] == utc_iso("2026-03-12 17:30")
    with freeze_time(local("2026-03-11 10:00")), app.app_context(), unit_of_work():
        calendar_admin.set_day(None, date(2026, 3, 5), False, "台风停工")
    assert city.case(resumed["id"])["due_at"] == utc_iso("2026-03-12 17:30")
    with freeze_time(local("2026-03-11 11:00")), app.app_context(), unit_of_work():
        calendar_admin.clear_day(None, date(2026, 3, 5))
    assert city.case(resumed["id"])["due_at"] == utc_iso("2026-03-12 17:30")


def test_a_closure_that_moves_the_case_moves_the_review_held_to_it(app: Any, as_user: Any, probes: None) -> None:
    """The review created at the resubmission (Tue 10 Mar) was held to the case's Thu 12 Mar. Tue 3 Mar, before
    the review existed but inside the case's count, declared a closure on 11 Mar: the case moves to Fri 13 Mar and
    the review with it (it stayed at 12 Mar and went 超期 on its own that evening, the lead told, the case on time)."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    _paused, resumed = _supplement_round(ent, city, "clock_probe")
    assert resumed["open_tasks"][0]["due_at"] == resumed["due_at"] == utc_iso("2026-03-12 17:30")
    with freeze_time(local("2026-03-11 10:00")), app.app_context(), unit_of_work():
        calendar_admin.set_day(None, date(2026, 3, 3), False, "台风停工")
    moved = city.case(resumed["id"])
    assert moved["due_at"] == utc_iso("2026-03-13 17:30")
    assert moved["open_tasks"][0]["due_at"] == utc_iso("2026-03-13 17:30")
    with freeze_time(local("2026-03-12 18:00")), app.app_context():
        refresh_deadline_states()
    evening = city.case(resumed["id"])
    assert evening["open_tasks"][0]["deadline_state"] != "overdue" and evening["deadline_state"] != "overdue"
    assert "deadline_overdue" not in events(evening)
