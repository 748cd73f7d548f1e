"""A refusal that names data (a person, a case number, a procedure's version) carries its English (`message_en`)
with the names filled in, looked up by its template (errors.Message); its Chinese `message` is the text it has
always been, which clients compare. The pages: tests/web/test_messages_with_data_in_english.py."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Person, ProjectLock
from tests.procedures.steps import act_ok, upload


def _person_id(app: Any, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Person.id).where(Person.name == name)))


def test_a_locked_persons_deregistration_is_refused_naming_him_in_english(as_user: Any, app: Any) -> None:
    refused = as_user("ent-nanning").start("personnel_deregistration", {
        "mode": "employer", "person_id": _person_id(app, "陆伟"), "leave_date": "2026-11-20"})
    assert refused.status_code == 422 and refused.json["code"] == "person_locked"
    message = refused.json["message"]
    assert message.startswith("陆伟为「南宁市民服务中心工程」（项目编号 ") and message.endswith(
        "）的项目经理，处于项目人员锁定状态，不能注销。请先办理项目人员解锁，"
        "解锁后，其单位变更须通过培训考试系统或审批系统办理（持证人员）。")
    code = message.split("项目编号 ", 1)[1].split("）", 1)[0]
    assert refused.json["message_en"] == (
        f"陆伟, Project manager (项目经理) of “南宁市民服务中心工程” (project code {code}), is locked to a project and "
        "cannot be deregistered. Please first apply for personnel unlock and have the lock released; after that, "
        "the change of employer goes through the training-exam or approval system (certificate holder).")


def test_a_certificate_holders_refusal_names_his_certificate_in_english(as_user: Any, app: Any) -> None:
    lu_wei = _person_id(app, "陆伟")
    with app.app_context(), unit_of_work():  # unlocked: only his certificate stands in the way
        for lock in db.session.scalars(select(ProjectLock).where(ProjectLock.person_id == lu_wei)):
            lock.active, lock.relock_at = False, None
    refused = as_user("ent-nanning").start("personnel_deregistration", {
        "mode": "employer", "person_id": lu_wei, "leave_date": "2026-11-20"})
    assert refused.status_code == 422 and refused.json["code"] == "dereg_certificate_holder"
    number = refused.json["details"]["certificate_number"]
    assert refused.json["message"] == (
        f"陆伟持有有效的注册人员证书（建筑工程）（证书编号 {number}，有效期至 2027-06-30），属持证人员，"
        "其单位变更、注销须通过培训考试系统或审批系统办理（数据交换后自动变更），不能在本系统注销。")
    assert refused.json["message_en"] == (
        f"陆伟 holds a valid Registered personnel (注册人员) certificate (建筑工程) (certificate number {number}, "
        "valid until 2027-06-30) and is a certificate holder: a change of employer or a deregistration goes "
        "through the training-exam or approval system (applied here by data exchange) and cannot be done in this "
        "system.")


def test_a_second_deregistration_is_refused_naming_the_person_in_english(as_user: Any) -> None:
    person = as_user("person")
    first = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert first.status_code == 201, first.json
    case_id = first.json["id"]
    files = {name: [upload(person, case_id)] for name in ("application_files", "separation_files", "id_card_files")}
    act_ok(person, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销", "paper_delivery": "counter",
                             **files})  # submitted: it now holds him
    again = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert again.status_code == 422 and again.json["code"] == "duplicate_open_case"
    assert again.json["message"] == "梁海已有办理中的注销申请，请勿重复申请"
    assert again.json["message_en"] == "梁海 already has a deregistration application in progress; do not apply again"


def test_a_missing_version_of_a_procedure_is_named_in_english(as_user: Any) -> None:
    missing = as_user("analyst").get("/api/v1/procedures/personnel_unlock/versions/99/files")
    assert missing.status_code == 404 and missing.json["code"] == "procedure_version_not_found"
    assert missing.json["message"] == "事项 personnel_unlock 没有版本 99"
    assert missing.json["message_en"] == "Procedure personnel_unlock has no version 99"
    unknown = as_user("analyst").get("/api/v1/procedures/no_such_procedure")
    assert unknown.status_code == 404 and unknown.json["message"] == "未找到事项 no_such_procedure"
    assert unknown.json["message_en"] == "No procedure no_such_procedure"
