"""personnel_deregistration through the REST API: every path of bpmn/personnel_deregistration.bpmn.

Paths: the employer deregisters directly; the person applies (former employer does not cooperate),
is rejected, resubmits, is approved; the new employer applies, is rejected, resubmits, is approved;
an application is withdrawn; the refusals at start (locked person, certificate holder, leave date,
already deregistered, wrong mode, duplicates ...) and their re-check at review time.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from freezegun import freeze_time
from sqlalchemy import delete, func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import (
    Case,
    Certificate,
    CertificateKind,
    LockRole,
    Organisation,
    OutboxMessage,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
)
from app.services.demo import id_number
from tests.procedures.steps import act, act_ok, field_errors, task_of, upload
from tests.support.web import WebUser

LIANG_HAI = id_number("45010719920105003")  # the demo "person" user, employed by ent-nanning, not locked


def _person(app: Any, name: str) -> Person:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == name))
        db.session.expunge(person)
        return person


def _add_person(app: Any, name: str, first17: str, employer_name: str) -> int:
    with app.app_context(), unit_of_work():
        employer = db.session.scalar(select(Organisation).where(Organisation.name == employer_name))
        person = Person(id_number=id_number(first17), name=name, employer_id=employer.id)
        db.session.add(person)
        db.session.flush()
        return person.id


def _case_count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(Case.id))))


def _notices(app: Any, case_id: int) -> list[OutboxMessage]:
    """The case's notices to enterprises (in-app, through the outbox)."""
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id,
                                                                   OutboxMessage.kind.like("notify.%"))))
        db.session.expunge_all()
        return rows


def _application(user: Any, case_id: int, **extra: Any) -> dict[str, Any]:
    return {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销",
            "application_files": [upload(user, case_id, "注销申请书.pdf")],
            "separation_files": [upload(user, case_id, "劳动仲裁裁决书.pdf")],
            "id_card_files": [upload(user, case_id, "身份证.pdf")], "paper_delivery": "counter", **extra}


APPROVE = {"decision": "approve", "paper_originals_received": True}


def test_employer_deregisters_its_own_person_directly(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    liang = _person(app, "梁海")
    started = ent.start("personnel_deregistration", {"mode": "employer", "person_id": liang.id,
                                                     "leave_date": "2026-11-20", "reason": "合同期满离职"})
    assert started.status_code == 201, started.json
    case = started.json
    assert case["status"] == "completed" and case["open_tasks"] == [] and case["number"].startswith("ZX-")
    assert case["title"] == "人员注销：梁海（广西邕城建设集团有限公司）"
    assert case["data"]["person_id_number"] == "4501**********" + LIANG_HAI[-4:]
    assert _person(app, "梁海").status == PersonStatus.DEREGISTERED
    assert _notices(app, case["id"]) == []  # the employer did it itself: nobody to notify
    again = ent.start("personnel_deregistration", {"mode": "employer", "person_id": liang.id,
                                                   "leave_date": "2026-11-20"})
    assert again.status_code == 422  # no longer among the enterprise's persons in service


def test_locked_person_is_refused_at_start_with_the_unlock_offered(as_user: Any, app: Any) -> None:
    ent, new_employer = as_user("ent-nanning"), as_user("ent-liuzhou")
    before = _case_count(app)
    refused = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "陆伟").id,
                                                     "leave_date": "2026-11-20"})
    assert refused.status_code == 422 and refused.json["code"] == "person_locked"
    assert "南宁市民服务中心工程" in refused.json["message"] and "项目经理" in refused.json["message"]
    assert "项目人员解锁" in refused.json["message"]
    assert refused.json["details"]["procedure"] == "personnel_unlock"
    assert "解锁后，其单位变更须通过培训考试系统或审批系统办理" in refused.json["message"]  # he holds a certificate
    by_new = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": id_number("45010319900722002"), "person_name": "覃丽",
        "leave_date": "2026-11-01"})
    assert by_new.json["code"] == "person_locked"
    assert "请由原单位（广西邕城建设集团有限公司）先办理项目人员解锁" in by_new.json["message"]
    # Another enterprise's project is not disclosed to the new employer.
    assert "南宁市民服务中心工程" not in str(by_new.json)
    assert by_new.json["details"] == {"procedure": "personnel_unlock"}
    with app.app_context(), unit_of_work():  # a temporary unlock still binds the person to the project
        lock = db.session.scalar(select(ProjectLock).where(ProjectLock.person_id == _person(app, "陆伟").id))
        lock.active, lock.relock_at = False, lock.locked_at
    temporary = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "陆伟").id,
                                                       "leave_date": "2026-11-20"})
    assert temporary.json["code"] == "person_locked" and "临时解锁期" in temporary.json["message"]
    assert _case_count(app) == before
    assert _person(app, "陆伟").status == PersonStatus.IN_SERVICE


def test_person_applies_is_rejected_resubmits_and_is_deregistered(as_user: Any, app: Any) -> None:
    person, city, former = as_user("person"), as_user("city-nanning"), as_user("ent-nanning")
    started = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    task = started.json["open_tasks"][0]
    assert task["title"] == "填写注销申请（本人）" and task["assignee"]["username"] == "person"
    assert started.json["region_code"] == "450100"
    assert set(field_errors(act(person, case_id, {"statement": "原单位拒不办理注销手续"}))) >= {
        "application_files", "separation_files", "id_card_files", "paper_delivery"}
    act_ok(person, case_id, _application(person, case_id))
    review = city.task_for(case_id)
    assert review["title"] == "审核人员注销申请" and review["due_in"] == "5 working days"
    errors = field_errors(act(city, case_id, {"decision": "approve"}))
    assert errors == {"paper_originals_received": "批准前须确认已收到并核验纸质申请材料"}
    act_ok(city, case_id, {"decision": "reject", "comment": "仲裁裁决书未生效，请补充生效证明"})
    assert person.case(case_id)["status"] == "waiting_for_applicant"
    refused = former.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "原单位撤回"})
    assert refused.status_code == 404  # the former employer does not see the individual's application at all
    assert task_of(person, case_id)["bpmn_id"] == "submit_person"
    act_ok(person, case_id, _application(person, case_id))
    act_ok(city, case_id, APPROVE)
    assert person.case(case_id)["status"] == "completed"
    assert _person(app, "梁海").status == PersonStatus.DEREGISTERED
    [notice] = _notices(app, case_id)
    assert notice.kind == "notify.former_employer" and notice.payload["enterprise_name"] == "广西邕城建设集团有限公司"
    assert LIANG_HAI not in str(notice.payload) and notice.payload["person_id_number"].endswith(LIANG_HAI[-4:])


def test_new_employer_applies_to_the_former_employers_authority(as_user: Any, app: Any) -> None:
    new_employer, city, other_city = as_user("ent-liuzhou"), as_user("city-nanning"), as_user("city-liuzhou")
    start = {"mode": "non_cooperating", "person_id_number": LIANG_HAI.lower(), "person_name": "梁海",
             "leave_date": "2026-10-31"}
    wrong = new_employer.start("personnel_deregistration", {**start, "person_name": "梁山"})
    assert wrong.status_code == 422 and wrong.json["code"] == "dereg_person_not_found"
    bad_number = new_employer.start("personnel_deregistration", {**start, "person_id_number": LIANG_HAI[:-1] + "0"})
    assert "person_id_number" in field_errors(bad_number)
    started = new_employer.start("personnel_deregistration", start)
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    assert started.json["region_code"] == "450100"  # the former employer's region, not the applicant's
    assert started.json["data"]["person_id_number"] == "4501**********" + LIANG_HAI[-4:]
    assert other_city.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert field_errors(act(new_employer, case_id, _application(new_employer, case_id))) == {
        "new_employment_files": "新单位申请须上传与该人员签订的劳动合同"}
    with_contract = _application(new_employer, case_id, new_employment_files=[upload(new_employer, case_id)])
    act_ok(new_employer, case_id, with_contract)
    assert other_city.task_for(case_id) is None
    act_ok(city, case_id, {"decision": "reject", "comment": "劳动合同缺少签字页"})
    assert task_of(new_employer, case_id)["bpmn_id"] == "submit_ent"
    act_ok(new_employer, case_id, with_contract)
    act_ok(city, case_id, APPROVE)
    assert _person(app, "梁海").status == PersonStatus.DEREGISTERED
    assert [n.kind for n in _notices(app, case_id)] == ["notify.former_employer"]


def test_application_withdrawn_leaves_the_person_in_service(as_user: Any, app: Any) -> None:
    person, city = as_user("person"), as_user("city-nanning")
    start = {"mode": "non_cooperating", "leave_date": "2026-10-31"}
    case_id = person.start("personnel_deregistration", start).json["id"]
    act_ok(person, case_id, _application(person, case_id))
    duplicate = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    withdrawn = person.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "已与原单位协商解决"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert city.task_for(case_id) is None
    assert _person(app, "梁海").status == PersonStatus.IN_SERVICE
    assert person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}
                        ).status_code == 201


def test_refusals_at_start(as_user: Any, app: Any) -> None:
    person, ent, city = as_user("person"), as_user("ent-nanning"), as_user("city-nanning")
    own = person.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                    "leave_date": "2026-10-31"})
    assert own.status_code == 422 and own.json["code"] == "dereg_mode_not_allowed"
    assert city.start("personnel_deregistration", {"mode": "employer", "leave_date": "2026-10-31"}
                      ).json["code"] == "start_not_allowed"
    foreign = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "蒙刚").id,
                                                     "leave_date": "2026-10-31"})
    assert "person_id" in field_errors(foreign)  # not among the enterprise's own persons
    mine = ent.start("personnel_deregistration", {"mode": "non_cooperating", "person_id_number": LIANG_HAI,
                                                  "person_name": "梁海", "leave_date": "2026-10-31"})
    assert mine.json["code"] == "dereg_own_person"
    _add_person(app, "周湘", "43010219880808007", "湖南湘江建设有限公司")
    outside = ent.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31",
                                                     "person_id_number": id_number("43010219880808007"),
                                                     "person_name": "周湘"})
    assert outside.json["code"] == "dereg_out_of_region"
    assert "person_id" in field_errors(ent.start("personnel_deregistration", {"mode": "employer",
                                                                               "leave_date": "2026-10-31"}))


def _certify(app: Any, name: str, until: date | None = date(2027, 6, 30)) -> int:
    """A certificate arrives for the person by data exchange (training-exam / approval system)."""
    with app.app_context(), unit_of_work():
        person = db.session.scalar(select(Person).where(Person.name == name))
        cert = Certificate(person_id=person.id, kind=CertificateKind.SPECIAL_OPERATION, specialty="建筑电工",
                           number=f"桂特{person.id:06d}", valid_until=until)
        db.session.add(cert)
        db.session.flush()
        return cert.id


def _release_locks_of(app: Any, name: str) -> None:
    """The person's locks were released (an approved unlock)."""
    with app.app_context(), unit_of_work():
        person = db.session.scalar(select(Person).where(Person.name == name))
        for lock in db.session.scalars(select(ProjectLock).where(ProjectLock.person_id == person.id)):
            lock.active, lock.relock_at = False, None


def test_certificate_holder_is_refused_in_both_modes(as_user: Any, app: Any) -> None:
    ent, new_employer, person = as_user("ent-nanning"), as_user("ent-liuzhou"), as_user("person")
    before = _case_count(app)
    _release_locks_of(app, "陆伟")  # unlocked: only his registered-constructor certificate stands in the way
    lu_wei = _person(app, "陆伟")
    by_employer = ent.start("personnel_deregistration", {"mode": "employer", "person_id": lu_wei.id,
                                                         "leave_date": "2026-11-20"})
    assert by_employer.status_code == 422 and by_employer.json["code"] == "dereg_certificate_holder"
    message = by_employer.json["message"]
    assert message.startswith("陆伟持有有效的注册人员证书（建筑工程）") and "有效期至 2027-06-30" in message
    assert "须通过培训考试系统或审批系统办理" in message
    assert by_employer.json["details"]["certificate_kind"] == "registered"
    by_new = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": lu_wei.id_number, "person_name": "陆伟",
        "leave_date": "2026-11-01"})
    assert by_new.status_code == 422 and by_new.json["code"] == "dereg_certificate_holder"
    # The new employer hears that he holds a certificate, not another enterprise's record of it.
    assert by_new.json["message"].startswith("陆伟持有有效的注册人员证书，属持证人员")
    assert "证书编号" not in by_new.json["message"] and "有效期至" not in by_new.json["message"]
    assert set(by_new.json["details"]) == {"certificate_kind"}
    with freeze_time("2025-12-31 04:00:00"):  # 梁海's 八大员 card is in force until the end of its last day
        own = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2025-12-01"})
        assert own.status_code == 422 and own.json["code"] == "dereg_certificate_holder"
        assert "八大员证书（施工员（土建））" in own.json["message"]
    assert _case_count(app) == before
    assert _person(app, "陆伟").status == PersonStatus.IN_SERVICE
    start_page = WebUser(app, "ent-nanning").login().html("/cases/start/personnel_deregistration")
    assert "陆伟（4501**********" in start_page and "· 持证人员（通过培训考试系统或审批系统变更）" in start_page
    # An expired certificate does not count [interp]: 梁海's card expired on 2025-12-31.
    expired = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert expired.status_code == 201, expired.json


def test_leave_date_may_not_be_in_the_future(as_user: Any, app: Any) -> None:
    ent, person = as_user("ent-nanning"), as_user("person")
    before = _case_count(app)
    future = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                    "leave_date": "2099-01-01"})
    assert field_errors(future) == {"leave_date": "离职日期不能晚于今天"}
    assert field_errors(person.start("personnel_deregistration", {"mode": "non_cooperating",
                                                                  "leave_date": "2099-01-01"})) == {
        "leave_date": "离职日期不能晚于今天"}
    with freeze_time("2026-11-20 04:00:00"):  # today is the latest leave date accepted
        today = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                       "leave_date": "2026-11-20"})
        assert today.status_code == 201, today.json
    assert _case_count(app) == before + 1


def test_an_already_deregistered_person_is_refused(as_user: Any, app: Any) -> None:
    ent, person, new_employer = as_user("ent-nanning"), as_user("person"), as_user("ent-liuzhou")
    done = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                  "leave_date": "2026-11-20"})
    assert done.status_code == 201 and done.json["status"] == "completed"
    own = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert own.status_code == 422 and own.json["code"] == "dereg_already_deregistered"
    assert own.json["message"] == "梁海已注销，无需再次办理"
    by_new = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": LIANG_HAI, "person_name": "梁海", "leave_date": "2026-10-31"})
    assert by_new.status_code == 422 and by_new.json["code"] == "dereg_already_deregistered"


def test_review_re_checks_lock_certificate_and_status(as_user: Any, app: Any) -> None:
    person, city = as_user("person"), as_user("city-nanning")
    case_id = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}
                           ).json["id"]
    act_ok(person, case_id, _application(person, case_id))
    liang = _person(app, "梁海")
    with app.app_context(), unit_of_work():  # meanwhile the approval system locks him to a project
        project = db.session.scalar(select(Project).where(Project.name == "南宁第三中学教学楼工程"))
        db.session.add(ProjectLock(project_id=project.id, person_id=liang.id, enterprise_id=liang.employer_id,
                                   role=LockRole.SAFETY_OFFICER))
    locked = field_errors(act(city, case_id, APPROVE))["decision"]
    assert locked.startswith("梁海为「南宁第三中学教学楼工程」") and "项目人员解锁" in locked
    _release_locks_of(app, "梁海")
    cert = _certify(app, "梁海")
    assert "须通过培训考试系统或审批系统办理" in field_errors(act(city, case_id, APPROVE))["decision"]
    with app.app_context(), unit_of_work():
        db.session.execute(delete(Certificate).where(Certificate.id == cert))
        db.session.get(Person, liang.id).status = PersonStatus.DEREGISTERED  # done elsewhere meanwhile
    assert field_errors(act(city, case_id, APPROVE)) == {"decision": "梁海已注销，无需再次办理"}
    assert person.case(case_id)["status"] == "running" and _notices(app, case_id) == []
    act_ok(city, case_id, {"decision": "reject", "comment": "该人员已注销"})
    assert person.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "已注销"}).status_code == 200


def _moved_by_the_national_platform(app: Any, id_no: str, name: str, credit_code: str) -> None:
    """The national platform reports the person with another employer (data exchange: no case)."""
    from app.services.exchange.inbound import receive

    with app.app_context(), unit_of_work():
        received = receive("national_platform", {
            "message_id": f"person-move-{id_no}", "kind": "person", "schema_version": 1,
            "occurred_at": "2026-12-05T08:00:00+08:00",
            "payload": {"id_number": id_no, "name": name, "employer_credit_code": credit_code}}, "file")
        assert received.message.status == "applied", received.message.result


def test_approval_is_refused_when_the_person_moved_to_another_employer_meanwhile(as_user: Any, app: Any) -> None:
    new_employer, city = as_user("ent-liuzhou"), as_user("city-nanning")
    case_id = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": LIANG_HAI, "person_name": "梁海",
        "leave_date": "2026-10-31"}).json["id"]
    act_ok(new_employer, case_id, _application(new_employer, case_id,
                                               new_employment_files=[upload(new_employer, case_id)]))
    liuzhou = _organisation(app, "柳州龙城建筑工程有限公司")
    _moved_by_the_national_platform(app, LIANG_HAI, "梁海", liuzhou.credit_code)
    refused = field_errors(act(city, case_id, APPROVE))["decision"]
    assert refused == "梁海的在册单位已变更，不再是本申请的原单位（广西邕城建设集团有限公司），不能按本申请注销"
    moved = _person(app, "梁海")  # never deregistered from the employer he has now
    assert moved.status == PersonStatus.IN_SERVICE and moved.employer_id == liuzhou.id
    assert new_employer.case(case_id)["status"] == "running" and _notices(app, case_id) == []
    act_ok(city, case_id, {"decision": "reject", "comment": "该人员已通过数据交换变更至新单位，无需注销"})
    assert new_employer.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "已变更"}).status_code == 200
    assert _person(app, "梁海").status == PersonStatus.IN_SERVICE


def _organisation(app: Any, name: str) -> Organisation:
    with app.app_context():
        found = db.session.scalar(select(Organisation).where(Organisation.name == name))
        db.session.expunge(found)
        return found


def test_an_unsubmitted_application_blocks_nobody_and_no_hidden_case_is_named(as_user: Any, app: Any) -> None:
    person, former, new_employer = as_user("person"), as_user("ent-nanning"), as_user("ent-liuzhou")
    draft = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert draft.status_code == 201 and draft.json["status"] == "running"  # its application not submitted yet
    by_new = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": LIANG_HAI, "person_name": "梁海", "leave_date": "2026-10-31"})
    assert by_new.status_code == 201, by_new.json  # a draft holds nothing
    submitted = by_new.json["id"]
    act_ok(new_employer, submitted, _application(new_employer, submitted,
                                                 new_employment_files=[upload(new_employer, submitted)]))
    # Submitted, the new employer's application now holds the person: the person's draft cannot be submitted,
    # and the former employer cannot start; neither is told a case number it cannot open.
    mine = act(person, draft.json["id"], _application(person, draft.json["id"]))
    assert mine.status_code == 422 and mine.json["code"] == "duplicate_open_case"
    assert mine.json["message"] == "梁海已有办理中的注销申请，请勿重复申请"
    own = former.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                    "leave_date": "2026-10-31"})
    assert own.status_code == 422 and own.json["code"] == "duplicate_open_case"
    assert own.json["message"] == "梁海已有办理中的注销申请，请勿重复申请"
    for refused in (mine, own):
        assert "ZX-" not in str(refused.json) and refused.json["details"].get("case_number") is None
    assert new_employer.post(f"/api/v1/cases/{submitted}/withdraw", {"reason": "已协商"}).status_code == 200
    done = former.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "梁海").id,
                                                     "leave_date": "2026-10-31"})
    assert done.status_code == 201 and done.json["status"] == "completed", done.json
    assert _person(app, "梁海").status == PersonStatus.DEREGISTERED
    # The person's draft is refused on submission now: he is deregistered.
    assert act(person, draft.json["id"], _application(person, draft.json["id"])).status_code == 422


def _reports(app: Any, case_id: int) -> list[OutboxMessage]:
    """What the case reported to the trading platform."""
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "trading_platform.personnel")))
        db.session.expunge_all()
        return rows


def test_a_deregistration_is_reported_to_the_trading_platform(as_user: Any, app: Any) -> None:
    from app.integrations.exchange import schemas

    ent, person, city = as_user("ent-nanning"), as_user("person"), as_user("city-nanning")
    nanning = _organisation(app, "广西邕城建设集团有限公司")
    case_id = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}
                           ).json["id"]
    act_ok(person, case_id, _application(person, case_id))
    assert _reports(app, case_id) == []  # nothing before the decision
    act_ok(city, case_id, {"decision": "reject", "comment": "仲裁裁决书未生效"})
    act_ok(person, case_id, _application(person, case_id))
    assert _reports(app, case_id) == []  # nor on a refusal
    act_ok(city, case_id, APPROVE)
    [report] = _reports(app, case_id)
    assert report.target == "trading_platform" and report.status == "pending"
    assert report.idempotency_key == f"trading-platform:personnel:{person.case(case_id)['number']}"
    assert report.aggregate_key == f"enterprise:{nanning.id}"  # in order with the employer's other reports
    payload = report.payload
    assert schemas.problems("outbound", "trading_platform.personnel", report.schema_version, payload) == []
    assert payload["credit_code"] == nanning.credit_code and payload["id_number"] == LIANG_HAI
    assert payload["name"] == "梁海" and payload["status"] == "deregistered"
    # His 八大员 card, expired: the platform keeps the person's certificates as they stand.
    assert [(c["kind"], c["valid_until"]) for c in payload["certificates"]] == [("eight_staff", "2025-12-31")]
    # The employer's own deregistration is reported the same way.
    _add_person(app, "韦东", "45010219900101015", "广西邕城建设集团有限公司")
    own = ent.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, "韦东").id,
                                                 "leave_date": "2026-11-20"})
    assert own.json["status"] == "completed", own.json
    [report] = _reports(app, own.json["id"])
    assert report.payload["name"] == "韦东" and report.payload["status"] == "deregistered"
    assert report.payload["certificates"] == []
