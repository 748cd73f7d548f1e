"""A step done again is answered again in full: what an earlier round wrote does not outlive it."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Person, ProjectLock
from tests.procedures.steps import act_ok, upload

RETURNED = "竣工验收报告缺少盖章页，请重新上传"


def returned_for_supplement(app: Any, ent: Any, city: Any) -> tuple[int, dict[str, Any]]:
    """An unlock request the city returned for 补正 with RETURNED: (case id, the request as submitted)."""
    with app.app_context():
        lock_id = db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                    .where(Person.name == "陆伟"))
    case_id = ent.start("personnel_unlock").json["id"]
    request = {"kind": "completion", "lock_ids": [lock_id], "reason": "项目已竣工验收，申请解除项目经理锁定",
               "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
               "completion_files": [upload(ent, case_id, "竣工验收.pdf")]}
    act_ok(ent, case_id, request)
    act_ok(city, case_id, {"decision": "return", "comment": RETURNED, "missing_items": ["completion_files"]})
    return case_id, request


def test_an_approval_after_a_return_does_not_carry_the_returns_comment(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, request = returned_for_supplement(app, ent, city)
    assert ent.case(case_id)["data"]["comment"] == RETURNED
    act_ok(ent, case_id, {**request, "completion_files": [upload(ent, case_id, "竣工验收（盖章）.pdf")]})
    act_ok(city, case_id, {"decision": "approve"})
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["data"]["decision"] == "approve"
    assert case["data"].get("comment") is None and case["data"].get("missing_items") is None
    returned = [e for e in case["history"] if e["kind"] == "task_completed" and e["payload"]["data"].get("comment")]
    assert [e["payload"]["data"]["comment"] for e in returned] == [RETURNED]
