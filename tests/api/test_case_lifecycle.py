"""The unlock procedure end to end through the REST API: start, submit, review, reject, resubmit, approve."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import ProjectLock


def _lock_choices(task: dict[str, Any]) -> list[int]:
    return [o["const"] for o in task["form"]["properties"]["lock_ids"]["items"]["oneOf"]]


def start_and_submit(ent: Any, reason: str = "项目经理因工作调整需要履职变更") -> tuple[int, dict[str, Any]]:
    started = ent.start("personnel_unlock")
    assert started.status_code == 201, started.json
    case = started.json
    task = case["open_tasks"][0]
    assert task["assignee"]["username"] == ent.username  # the applicant's own form is claimed already
    detail = ent.get(f"/api/v1/tasks/{task['id']}").json
    locks = _lock_choices(detail)
    upload = ent.upload(case["id"])
    assert upload.status_code == 201, upload.json
    response = ent.complete(task["id"], {"kind": "duty_change", "lock_ids": locks[:1], "reason": reason,
                                         "application_files": [upload.json["id"]]})
    assert response.status_code == 200, response.json
    return case["id"], detail


def test_enterprise_starts_and_city_sees_claimable_review(as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = start_and_submit(ent)
    case = ent.case(case_id)
    assert case["number"].startswith("JS-")
    assert case["status"] == "running"
    assert case["region_code"] == "450100"
    assert case["current_step"] == "审核解锁申请"
    review = city.task_for(case_id)
    assert review is not None and review["title"] == "审核解锁申请"
    assert review["due_at"] is not None and review["due_in"] == "3 working days"
    # The whole case runs on the notice's statutory limit: its own clock, due with the review here.
    assert case["statutory_due_at"] == case["due_at"] == review["due_at"]
    assert case["deadline_state"] == "on_time"


def test_reject_resubmit_then_approve_releases_the_lock(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, detail = start_and_submit(ent)
    review = city.task_for(case_id)
    assert city.claim(review["id"]).status_code == 200
    rejected = city.complete(review["id"], {"decision": "reject", "comment": "缺少单位盖章",
                                                "reject_ground": "materials_deficient",
                                                "deficient_materials": ["application_files"]})
    assert rejected.status_code == 200, rejected.json
    assert ent.case(case_id)["status"] == "waiting_for_applicant"
    amend = ent.task_for(case_id, view="claimable") or ent.task_for(case_id, view="mine")
    assert amend is not None and amend["bpmn_id"] == "submit_request"
    upload = ent.upload(case_id, filename="盖章申请表.pdf")
    resubmitted = ent.complete(amend["id"], {
        "kind": "duty_change", "lock_ids": _lock_choices(detail)[:1], "reason": "已补充单位盖章的申请表",
        "application_files": [upload.json["id"]]})
    assert resubmitted.status_code == 200, resubmitted.json
    review2 = city.task_for(case_id)
    city.claim(review2["id"])
    approved = city.complete(review2["id"], {"decision": "approve"})
    assert approved.status_code == 200, approved.json
    case = ent.case(case_id)
    assert case["status"] == "completed"
    kinds = [e["kind"] for e in case["history"]]
    assert kinds.count("task_completed") == 4 and "handler_ran" in kinds and kinds[-1] == "case_completed"
    with app.app_context():
        lock = db.session.scalar(select(ProjectLock).where(ProjectLock.id == _lock_choices(detail)[0]))
        assert lock.active is False and lock.released_by_case_id == case_id


def test_a_withdrawal_is_only_a_withdrawal(as_user: Any) -> None:
    """Withdrawn, not 办结: no case_completed event and no completion time (dashboards count completions)."""
    ent = as_user("ent-nanning")
    case_id = ent.start("personnel_unlock").json["id"]
    withdrawn = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "申请人员已调整"})
    assert withdrawn.status_code == 200, withdrawn.json
    case = ent.case(case_id)
    kinds = [e["kind"] for e in case["history"]]
    assert case["status"] == "withdrawn" and case["completed_at"] is None and case["open_tasks"] == []
    assert "case_completed" not in kinds and kinds[-1] == "case_withdrawn"
    assert next(e for e in case["history"] if e["kind"] == "case_withdrawn")["payload"]["reason"] == "申请人员已调整"
    again = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "申请人员已调整"})  # another tab, a retry
    assert again.status_code == 422 and again.json["message"] == "办件已撤回，无需重复撤回"  # not "已办结"
