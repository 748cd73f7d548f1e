"""personnel_unlock through the REST API: every path of bpmn/personnel_unlock.bpmn as the demo roles.

Paths: approve (permanent), approve temporary -> timer -> relock, reject -> amend -> approve,
reject -> withdraw, return (补正) -> supplement -> return again (一次性告知) -> approve; and refusals.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case, Person, ProjectLock, Task
from tests.procedures.steps import act, act_ok, field_errors, task_of, upload
from tests.support.web import WebUser

PDF = "application/pdf"


def _lock_ids(app: Any) -> dict[str, int]:
    """ent-nanning's active locks by person name (陆伟: project manager, 覃丽: safety officer)."""
    with app.app_context():
        rows = db.session.execute(select(Person.name, ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                  .where(ProjectLock.active.is_(True)))
        return {name: lock_id for name, lock_id in rows}


def _lock(app: Any, lock_id: int) -> ProjectLock:
    with app.app_context():
        lock = db.session.get(ProjectLock, lock_id)
        db.session.expunge(lock)
        return lock


def _start(ent: Any) -> int:
    started = ent.start("personnel_unlock")
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def _request(ent: Any, case_id: int, kind: str, lock_ids: list[int], **extra: Any) -> dict[str, Any]:
    data = {"kind": kind, "lock_ids": lock_ids, "reason": "项目已竣工验收，申请解除项目经理锁定",
            "application_files": [upload(ent, case_id, "解锁申请表.pdf")]}
    return {**data, **extra}


def _status(ent: Any, case_id: int) -> str:
    return str(ent.case(case_id)["status"])


def test_each_kind_requires_its_own_materials(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    for kind, needed in [("completion", "completion_files"), ("penalty", "penalty_files"),
                         ("temporary", "temporary_files")]:
        errors = field_errors(act(ent, case_id, _request(ent, case_id, kind, [locks["陆伟"]])))
        assert needed in errors and "须上传" in errors[needed]
    errors = field_errors(act(ent, case_id, _request(ent, case_id, "temporary", [locks["陆伟"]])))
    assert errors["temporary_end_date"] == "临时解锁须填写截止日期"
    no_form = _request(ent, case_id, "duty_change", [locks["陆伟"]])
    del no_form["application_files"]
    assert "application_files" in field_errors(act(ent, case_id, no_form))
    foreign = _request(ent, case_id, "completion", [locks["陆伟"]], completion_files=["not-an-upload"])
    assert field_errors(act(ent, case_id, foreign))["completion_files"].startswith("附件不存在")
    assert city.task_for(case_id) is None  # nothing reached the authority
    assert _lock(app, locks["陆伟"]).active is True


def test_completion_unlock_approved_releases_the_lock(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "completion", [locks["陆伟"]],
                                  completion_files=[upload(ent, case_id, "竣工验收合格意见书.pdf")]))
    case = ent.case(case_id)
    assert case["title"] == "项目人员解锁：陆伟（南宁市民服务中心工程）" and case["region_code"] == "450100"
    review = city.task_for(case_id)
    assert review["title"] == "审核解锁申请" and review["due_in"] == "3 working days" and review["due_at"]
    act_ok(city, case_id, {"decision": "approve"})
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["data"]["unlock_state"] == "unlocked"
    released = _lock(app, locks["陆伟"])
    assert released.active is False and released.released_by_case_id == case_id and released.relock_at is None
    assert _lock(app, locks["覃丽"]).active is True  # only the person applied for


def test_temporary_unlock_returns_the_lock_when_its_end_date_has_passed(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    with freeze_time("2026-12-04 02:00:00"):  # Friday 10:00 in Nanning
        case_id = _start(ent)
        late = _request(ent, case_id, "temporary", [locks["覃丽"]], temporary_end_date="2027-06-30",
                        temporary_files=[upload(ent, case_id, "建设单位同意书.pdf")])
        assert "不得超过 90 天" in field_errors(act(ent, case_id, late))["temporary_end_date"]
        past = {**late, "temporary_end_date": "2026-12-04"}
        assert field_errors(act(ent, case_id, past))["temporary_end_date"] == "临时解锁截止日期须晚于今天"
        act_ok(ent, case_id, {**late, "temporary_end_date": "2026-12-10"})
        review = city.task_for(case_id)
        due = datetime.fromisoformat(review["due_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
        assert due.date() == date(2026, 12, 9)  # 3 working days after a Friday: Mon, Tue, Wed
        act_ok(city, case_id, {"decision": "approve"})
    case = ent.case(case_id)
    assert case["status"] == "running" and case["current_step"] == "临时解锁中（截止日期期满）"
    page = WebUser(app, "ent-nanning").login().html(f"/cases/{case_id}")
    assert "临时解锁中（截止日期期满）" in page and "预计 2026-12-10 23:59 自动继续" in page  # end of the end date
    assert case["data"]["unlock_state_title"].startswith("临时解锁中")
    lock = _lock(app, locks["覃丽"])
    assert lock.active is False and lock.relock_at is not None and lock.released_by_case_id == case_id
    refused = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再需要"})
    assert refused.status_code == 422 and refused.json["code"] == "withdraw_during_temporary_unlock"
    with freeze_time("2026-12-10 15:00:00"), app.app_context():  # 23:00 local on the end date: not yet
        assert fire_due_timers() == 0
    assert _lock(app, locks["覃丽"]).active is False
    with freeze_time("2026-12-10 16:00:01"), app.app_context():  # 00:00:01 local the day after
        assert fire_due_timers() == 1
    relocked = _lock(app, locks["覃丽"])
    assert relocked.active is True and relocked.relock_at is None
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["data"]["unlock_state"] == "relocked"
    assert "timer_fired" in [e["kind"] for e in case["history"]]


def test_reject_then_amend_and_approve(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "penalty", [locks["陆伟"]],
                                  penalty_files=[upload(ent, case_id, "处罚决定书.pdf")]))
    assert "comment" in field_errors(act(city, case_id, {"decision": "reject"}))
    act_ok(city, case_id, {"decision": "reject", "comment": "处罚决定书与申请人员不一致"})
    assert _status(ent, case_id) == "waiting_for_applicant"
    assert _lock(app, locks["陆伟"]).active is True
    amend = task_of(ent, case_id)
    assert amend["bpmn_id"] == "submit_request" and amend["title"] == "填写解锁申请"
    act_ok(ent, case_id, _request(ent, case_id, "penalty", [locks["陆伟"]],
                                  penalty_files=[upload(ent, case_id, "正确的处罚决定书.pdf")]))
    act_ok(city, case_id, {"decision": "approve"})
    assert _status(ent, case_id) == "completed"
    assert _lock(app, locks["陆伟"]).active is False


def test_rejected_application_is_withdrawn(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "duty_change", [locks["陆伟"], locks["覃丽"]]))
    act_ok(city, case_id, {"decision": "reject", "comment": "项目经理变更须经建设单位同意"})
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "另行申请"}).status_code == 200
    case = ent.case(case_id)
    assert case["status"] == "withdrawn" and case["open_tasks"] == []
    assert _lock(app, locks["陆伟"]).active is True and _lock(app, locks["覃丽"]).active is True
    again = _start(ent)  # a withdrawn case no longer blocks a new application for the same persons
    act_ok(ent, again, _request(ent, again, "duty_change", [locks["陆伟"]]))


def test_return_for_supplement_lists_everything_once(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    first = _request(ent, case_id, "penalty", [locks["陆伟"]], penalty_files=[upload(ent, case_id, "处罚.pdf")],
                     proof_files=[upload(ent, case_id, "证明.pdf")])
    act_ok(ent, case_id, first)
    assert "missing_items" in field_errors(act(city, case_id, {"decision": "return", "comment": "材料不全"}))
    wrong_kind = {"decision": "return", "comment": "材料不全", "missing_items": ["completion_files"]}
    assert "不适用于行政处罚解锁" in field_errors(act(city, case_id, wrong_kind))["missing_items"]
    act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰", "missing_items": ["penalty_files"]})
    assert _status(ent, case_id) == "waiting_for_applicant"
    # The supplement must bring a new penalty decision: the old file again is refused.
    assert field_errors(act(ent, case_id, first))["penalty_files"] == "请按补正通知补充：行政处罚决定书"
    second = {**first, "penalty_files": [upload(ent, case_id, "处罚决定书清晰版.pdf")],
              "reason": "补充说明：该人员已被暂扣证书，企业须更换项目经理"}
    act_ok(ent, case_id, second)
    # 一次性告知: the application form and other proofs were there unchanged at the first return.
    late = {"decision": "return", "comment": "还缺申请表", "missing_items": ["application_files", "proof_files"]}
    message = field_errors(act(city, case_id, late))["missing_items"]
    assert message.startswith("按一次性告知规定") and "解锁申请表" in message and "其他证明材料" in message
    # Items listed before, and what changed since (the new reason), may be asked for again.
    act_ok(city, case_id, {"decision": "return", "comment": "理由仍不充分，决定书缺页",
                           "missing_items": ["penalty_files", "reason"]})
    partial = {**second, "penalty_files": [upload(ent, case_id, "完整决定书.pdf")]}
    assert "reason" in field_errors(act(ent, case_id, partial))
    act_ok(ent, case_id, {**partial, "reason": "补充说明：处罚决定已生效，原项目经理不得继续履职"})
    act_ok(city, case_id, {"decision": "approve"})
    assert _status(ent, case_id) == "completed"
    assert _lock(app, locks["陆伟"]).active is False
    with app.app_context():
        reviews = db.session.scalars(select(Task).where(Task.case_id == case_id, Task.bpmn_id == "review_request"))
        assert len(list(reviews)) == 3


def test_refusals_wrong_role_wrong_region_duplicate(as_user: Any, app: Any) -> None:
    ent, city, other_city, other_ent = (as_user("ent-nanning"), as_user("city-nanning"),
                                        as_user("city-liuzhou"), as_user("ent-liuzhou"))
    locks = _lock_ids(app)
    refused = city.start("personnel_unlock")
    assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "duty_change", [locks["陆伟"]]))
    review = city.task_for(case_id)
    for outsider in (other_city, other_ent):
        assert outsider.get(f"/api/v1/cases/{case_id}").status_code == 404
        assert outsider.claim(review["id"]).status_code == 404
        assert outsider.complete(review["id"], {"decision": "approve"}).status_code == 404
    assert ent.complete(review["id"], {"decision": "approve"}).status_code == 403  # not a reviewer
    duplicate = _start(ent)
    errors = field_errors(act(ent, duplicate, _request(ent, duplicate, "duty_change", [locks["陆伟"]])))
    with app.app_context():
        number = db.session.get(Case, case_id).number
    assert errors["lock_ids"] == f"所选人员已有办理中的解锁申请（{number}），请勿重复申请"
    liuzhou_lock = _lock_ids(app)["蒙刚"]
    assert "lock_ids.0" in field_errors(act(ent, duplicate, _request(ent, duplicate, "duty_change", [liuzhou_lock])))
    assert _lock(app, locks["陆伟"]).active is True
    assert isinstance(_lock(app, liuzhou_lock).locked_at, datetime)
