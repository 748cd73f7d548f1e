"""personnel_unlock through the REST API: every path of bpmn/personnel_unlock.bpmn as the demo roles.

Paths: approve (permanent), approve temporary -> timer -> relock, a permanent unlock during a temporary
one, reject -> amend -> approve, reject -> withdraw, return (补正) -> supplement -> return again
(一次性告知) -> approve, a rejection's ground (一次性告知 for materials); and refusals.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case, LockRole, Person, Project, ProjectLock, Task
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
    assert set(field_errors(act(city, case_id, {"decision": "reject"}))) == {"comment", "reject_ground"}
    act_ok(city, case_id, {"decision": "reject", "comment": "处罚决定书与申请人员不一致",
                           "reject_ground": "materials_deficient", "deficient_materials": ["penalty_files"]})
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
    act_ok(city, case_id, {"decision": "reject", "comment": "项目经理变更须经建设单位同意",
                           "reject_ground": "conditions_not_met"})
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
    # The form offers only the kind's materials (the review_items choices): another kind's is refused.
    assert field_errors(act(city, case_id, wrong_kind))["missing_items.0"] == "所列材料不适用于本办件的解锁类型"
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
    refused = act(ent, duplicate, _request(ent, duplicate, "duty_change", [locks["陆伟"]]))
    with app.app_context():
        number = db.session.get(Case, case_id).number
    message = f"所选人员已有办理中的解锁申请（{number}），请勿重复申请"
    assert refused.status_code == 422 and refused.json["code"] == "duplicate_open_case"
    assert refused.json["message"] == message and refused.json["details"]["case_number"] == number
    assert field_errors(refused)["lock_ids"] == message  # the page shows it beside the persons
    liuzhou_lock = _lock_ids(app)["蒙刚"]
    assert "lock_ids.0" in field_errors(act(ent, duplicate, _request(ent, duplicate, "duty_change", [liuzhou_lock])))
    assert _lock(app, locks["陆伟"]).active is True
    assert isinstance(_lock(app, liuzhou_lock).locked_at, datetime)


def _set_lock(app: Any, lock_id: int, **values: Any) -> None:
    """A change that arrives from elsewhere (the approval system's data exchange) while a case is open."""
    with app.app_context(), unit_of_work():
        lock = db.session.get(ProjectLock, lock_id)
        for name, value in values.items():
            setattr(lock, name, value)


def test_persons_of_two_projects_are_refused_in_one_case(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    with app.app_context(), unit_of_work():  # 梁海 becomes safety officer of the enterprise's other project
        project = db.session.scalar(select(Project).where(Project.name == "南宁第三中学教学楼工程"))
        liang = db.session.scalar(select(Person).where(Person.name == "梁海"))
        lock = ProjectLock(project_id=project.id, person_id=liang.id, enterprise_id=project.entry_org_id,
                           role=LockRole.SAFETY_OFFICER)
        db.session.add(lock)
        db.session.flush()
        liang_lock = lock.id
    case_id = _start(ent)
    both = _request(ent, case_id, "duty_change", [locks["陆伟"], liang_lock])
    assert field_errors(act(ent, case_id, both))["lock_ids"] == "一次申请只能选择同一项目的人员"
    assert city.task_for(case_id) is None
    act_ok(ent, case_id, {**both, "lock_ids": [liang_lock]})
    assert ent.case(case_id)["title"] == "项目人员解锁：梁海（南宁第三中学教学楼工程）"


def test_approval_is_refused_when_a_lock_is_no_longer_active(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "duty_change", [locks["陆伟"], locks["覃丽"]]))
    _set_lock(app, locks["覃丽"], active=False)  # released meanwhile by the approval system
    errors = field_errors(act(city, case_id, {"decision": "approve"}))
    assert errors == {"decision": "申请中的人员已不处于锁定状态，不能批准，请退回或不予解锁"}
    assert _lock(app, locks["陆伟"]).active is True and _status(ent, case_id) == "running"
    act_ok(city, case_id, {"decision": "reject", "comment": "覃丽已解锁，请只申请陆伟",
                           "reject_ground": "conditions_not_met"})
    assert _status(ent, case_id) == "waiting_for_applicant"


def test_temporary_unlock_is_not_approved_after_its_end_date(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    with freeze_time("2026-12-04 02:00:00"):  # Friday 10:00 in Nanning
        case_id = _start(ent)
        request = _request(ent, case_id, "temporary", [locks["覃丽"]], temporary_end_date="2026-12-07",
                           temporary_files=[upload(ent, case_id, "建设单位同意书.pdf")])
        act_ok(ent, case_id, request)
    with freeze_time("2026-12-08 02:00:00"):  # the end date has passed: approval would relock at once
        errors = field_errors(act(city, case_id, {"decision": "approve"}))
        assert errors["decision"].startswith("临时解锁截止日期（2026-12-07）已到，批准后将立即恢复锁定，不能批准")
        assert _lock(app, locks["覃丽"]).active is True
        act_ok(city, case_id, {"decision": "reject", "comment": "截止日期已过，请重新确定",
                               "reject_ground": "conditions_not_met"})
        act_ok(ent, case_id, {**request, "temporary_end_date": "2026-12-18"})
        act_ok(city, case_id, {"decision": "approve"})
    lock = _lock(app, locks["覃丽"])
    assert lock.active is False and lock.relock_at is not None


def test_permanent_unlock_during_a_temporary_one_ends_the_relock(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    with freeze_time("2026-12-04 02:00:00"):
        temporary = _start(ent)
        act_ok(ent, temporary, _request(ent, temporary, "temporary", [locks["覃丽"]], temporary_end_date="2026-12-10",
                                        temporary_files=[upload(ent, temporary, "建设单位同意书.pdf")]))
        act_ok(city, temporary, {"decision": "approve"})
        temporary_number = ent.case(temporary)["number"]
        case_id = _start(ent)
        options = ent.get(f"/api/v1/tasks/{task_of(ent, case_id)['id']}").json["form"]["properties"]["lock_ids"]
        titles = {o["const"]: o["title"] for o in options["items"]["oneOf"]}
        assert titles[locks["覃丽"]].endswith("（临时解锁中，2026-12-10 期满恢复锁定）")  # still offered
        again = _request(ent, case_id, "temporary", [locks["覃丽"]], temporary_end_date="2026-12-20",
                         temporary_files=[upload(ent, case_id, "同意书.pdf")])
        message = field_errors(act(ent, case_id, again))["lock_ids"]
        assert message.startswith(f"覃丽正处于临时解锁期（{temporary_number}，2026-12-10 期满恢复锁定），"
                                  "不能再次申请临时解锁")
        act_ok(ent, case_id, _request(ent, case_id, "completion", [locks["覃丽"]],
                                      completion_files=[upload(ent, case_id, "竣工验收合格意见书.pdf")]))
        act_ok(city, case_id, {"decision": "approve"})
    done = ent.case(case_id)
    assert done["status"] == "completed"
    assert done["data"]["unlock_state_title"] == f"已解锁（原临时解锁 {temporary_number} 期满后不再恢复锁定）"
    lock = _lock(app, locks["覃丽"])
    assert lock.active is False and lock.relock_at is None and lock.released_by_case_id == case_id
    with freeze_time("2026-12-10 16:00:01"), app.app_context():  # the temporary case's timer: nothing returns
        assert fire_due_timers() == 1
    assert _lock(app, locks["覃丽"]).active is False
    ended = ent.case(temporary)
    assert ended["status"] == "completed" and ended["data"]["unlock_state"] == "superseded"
    assert ended["data"]["unlock_state_title"] == f"临时解锁期间已办理正式解锁（{done['number']}），不再恢复锁定"


def test_rejection_ground_keeps_the_one_notice_rule(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _lock_ids(app)
    case_id = _start(ent)
    first = _request(ent, case_id, "penalty", [locks["陆伟"]], penalty_files=[upload(ent, case_id, "处罚.pdf")],
                     proof_files=[upload(ent, case_id, "证明.pdf")])
    act_ok(ent, case_id, first)
    act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰", "missing_items": ["penalty_files"]})
    supplement = {**first, "penalty_files": [upload(ent, case_id, "处罚决定书清晰版.pdf")]}
    act_ok(ent, case_id, supplement)
    # Once told what to supply, a rejection states its ground.
    assert "reject_ground" in field_errors(act(city, case_id, {"decision": "reject", "comment": "不予解锁"}))
    materials = {"decision": "reject", "comment": "材料不符合要求", "reject_ground": "materials_deficient"}
    assert "deficient_materials" in field_errors(act(city, case_id, materials))
    wrong_kind = {**materials, "deficient_materials": ["completion_files"]}
    assert field_errors(act(city, case_id, wrong_kind))["deficient_materials.0"] == "所列材料不适用于本办件的解锁类型"
    # 一次性告知: the application form and the proofs were there, unchanged, when the case was returned.
    late = act(city, case_id, {**materials, "deficient_materials": ["application_files", "proof_files"]})
    assert late.status_code == 422 and late.json["code"] == "one_notice_violation"
    message = late.json["details"]["fields"]["deficient_materials"]
    assert message.startswith("按一次性告知规定") and "解锁申请表" in message and "其他证明材料" in message
    assert message.endswith("不得以此为由不予解锁") and late.json["details"]["items"] == ["application_files",
                                                                                      "proof_files"]
    # What the return listed may still be found wrong.
    act_ok(city, case_id, {**materials, "comment": "补正的处罚决定书与申请人员不一致",
                           "deficient_materials": ["penalty_files"]})
    case = ent.case(case_id)
    assert case["status"] == "waiting_for_applicant"
    assert case["data"]["reject_ground"] == "materials_deficient"
    assert case["data"]["deficient_materials"] == ["penalty_files"]
    amend = WebUser(app, "ent-nanning").login().html(f"/tasks/{task_of(ent, case_id)['id']}")
    shown = amend[amend.index('data-testid="last-result"'):]
    for text in ("不予解锁依据", "材料不符合要求", "不符合要求的材料", "行政处罚决定书",
                 "补正的处罚决定书与申请人员不一致"):
        assert text in shown, text
    act_ok(ent, case_id, {**supplement, "penalty_files": [upload(ent, case_id, "正确的处罚决定书.pdf")]})
    # The materials rejection was a notice too: the proofs, unchanged since, cannot be asked for now.
    returned = act(city, case_id, {"decision": "return", "comment": "还缺证明", "missing_items": ["proof_files"]})
    assert returned.json["code"] == "one_notice_violation"
    assert "上次以材料不符合要求不予解锁时已提交且未被列明" in field_errors(returned)["missing_items"]
    act_ok(city, case_id, {"decision": "reject", "comment": "处罚期未满，不符合解锁条件",
                           "reject_ground": "conditions_not_met"})
    assert ent.case(case_id)["data"]["reject_ground"] == "conditions_not_met"
    assert _lock(app, locks["陆伟"]).active is True
