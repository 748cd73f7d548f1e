"""A workflow state that does not load: the action is refused with a clear error, and the case shows 异常
(committed although the action was refused) until the state is repaired and an admin retries it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select, update

from app.db import unit_of_work
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case, WorkflowState
from app.services.cases.timers import due_case_ids
from tests.procedures.steps import act, act_ok
from tests.services.test_working_day_timers import deploy_workday_timer
from tests.support.deadlines import deploy_probes, local, start_and_submit

GARBAGE = b"\x00 this is not a workflow state"


def _state(app: Flask, case_id: int) -> bytes:
    with app.app_context():
        blob = db.session.scalar(select(WorkflowState.state).where(WorkflowState.case_id == case_id))
        assert blob is not None
        return bytes(blob)


def _store_state(app: Flask, case_id: int, blob: bytes) -> None:
    """Write the state row directly, as a damaged disk or a bad manual repair would (and the repair)."""
    with app.app_context(), unit_of_work():
        db.session.execute(update(WorkflowState).where(WorkflowState.case_id == case_id).values(state=blob))


def _errors(case: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in case["history"] if e["kind"] == "error"]


def test_an_unreadable_state_puts_the_case_in_error_until_repaired_and_retried(app: Flask, as_user: Any) -> None:
    deploy_probes(app)
    ent, city, admin = as_user("ent-nanning"), as_user("city-nanning"), as_user("admin")
    case_id = start_and_submit(ent)  # the review task is the city's
    good = _state(app, case_id)
    _store_state(app, case_id, GARBAGE)

    refused = act(city, case_id, {"decision": "approve"})
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "case_state_unreadable" and "无法读取" in refused.json["message"]
    case = admin.case(case_id)
    assert case["status"] == "error" and "流程数据无法读取" in case["error_message"]
    assert [e["payload"]["code"] for e in _errors(case)] == ["case_state_unreadable"]
    completed = [e["step"] for e in case["history"] if e["kind"] == "task_completed"]
    assert completed == ["提交申请"]  # the applicant's; the refused review left nothing
    assert city.task_for(case_id, view="mine") is not None  # the task is still open

    again = act(city, case_id, {"decision": "approve"})  # refused the same way; shown once
    assert again.status_code == 422 and again.json["code"] == "case_state_unreadable"
    assert len(_errors(admin.case(case_id))) == 1

    still = admin.post(f"/api/v1/cases/{case_id}/retry")  # retried before the repair: the clear error
    assert still.status_code == 422 and still.json["code"] == "case_state_unreadable", still.json
    case = admin.case(case_id)
    assert case["status"] == "error" and [e["kind"] for e in case["history"]][-2:] == ["retried", "error"]

    _store_state(app, case_id, good)
    retried = admin.post(f"/api/v1/cases/{case_id}/retry")
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "running" and retried.json["error_message"] is None
    act_ok(city, case_id, {"decision": "approve"})
    assert ent.case(case_id)["status"] == "completed"


def test_a_timer_of_an_unreadable_state_puts_the_case_in_error_once(app: Flask, as_user: Any,
                                                                   tmp_path: Path) -> None:
    deploy_workday_timer(app, tmp_path)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-30 10:00")):
        case_id = ent.case(ent.start("workday_timer_probe").json["id"])["id"]  # fires 2026-10-10 17:30
    _store_state(app, case_id, GARBAGE)
    with freeze_time(local("2026-10-12 09:00")), app.app_context():
        assert fire_due_timers() == 0  # refused and logged; the case is no longer polled
        assert due_case_ids() == []
        case = db.session.get(Case, case_id)
        assert case is not None and case.status == "error" and case.next_timer_at is None
    assert len(_errors(ent.case(case_id))) == 1
