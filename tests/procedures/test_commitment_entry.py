"""commitment_entry (入库承诺制) through the REST API: every path of bpmn/commitment_entry.bpmn.

Paths: entries that need no review take effect when the 入库承诺书 is signed (who, when, text version and a
hash of what was committed stored); 良好行为 and 纳税信息 go to the city's review of originals, item by item;
withdrawal before signing stores nothing. Guards: imported personnel cannot be added by hand (only completed),
imported (out-of-region) performance cannot be edited nor entered by hand, a record used in a bid is frozen,
the commitment must be signed in its current version, one open submission per enterprise, enterprises only.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, text

from app.db import unit_of_work
from app.extensions import db
from app.models import (
    AuditEntry,
    BehaviourRecord,
    Case,
    CommitmentSignature,
    EnterpriseEntry,
    Organisation,
    PerformanceRecord,
    Person,
)
from app.services.demo import id_number
from handlers.commitment import TEXT_VERSION, committed_content, content_hash
from tests.documents.test_case_documents import documents_of, download
from tests.procedures.steps import act, act_ok, award_lock, field_errors, upload
from tests.support.web import WebUser

NANNING = "广西邕城建设集团有限公司"
NEW_CLERK = id_number("45010219950101123")
LU_WEI = id_number("45010219850315001")  # 陆伟: a registered constructor (his certificate came by exchange)


def _one(app: Any, model: Any, *where: Any) -> Any:
    with app.app_context():
        row = db.session.scalar(select(model).where(*where))
        if row is not None:
            db.session.expunge(row)
        return row


def _start(ent: Any, sections: list[str]) -> int:
    started = ent.start("commitment_entry", {"sections": sections})
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def _person_id(app: Any, name: str) -> int:
    return int(_one(app, Person, Person.name == name).id)


SIGN = {"text_version": TEXT_VERSION, "agree": True}


def test_entries_take_effect_on_the_signed_commitment_without_review(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _start(ent, ["basic", "qualification", "personnel", "finance", "performance"])
    case = ent.case(case_id)
    assert case["number"].startswith("RK-") and case["title"] == f"入库信息填报：{NANNING}"
    assert set(field_errors(act(ent, case_id, {}))) == {"basic", "qualifications", "personnel", "finances",
                                                         "performances"}
    entries = {
        "basic": {"business_licence_number": "91450100MA5KAB123X", "bank_name": "中国工商银行南宁分行",
                  "bank_account": "2102101009000123456", "contact_name": "李明", "contact_phone": "0771-5551234"},
        "licence_files": [upload(ent, case_id, "营业执照.pdf")],
        "qualifications": [{"name": "市政公用工程施工总承包二级", "certificate_number": "D245012345",
                            "issuer": "南宁市行政审批局", "valid_until": "2028-12-31"}],
        "personnel": [{"person_id": _person_id(app, "梁海"), "social_insurance_months": 36,
                       "professional_title": "工程师", "education": "本科"},
                      {"id_number": NEW_CLERK, "name": "黄敏", "kind": "bid_clerk", "social_insurance_months": 12}],
        "finances": [{"year": 2025, "total_assets": "52000.00", "revenue": "38000.50"}],
        "performances": [{"project_name": "南宁五象新区道路工程", "location_code": "450108",
                          "contract_amount": "2680.00", "completion_date": "2025-09-30"}],
    }
    act_ok(ent, case_id, entries)
    assert "agree" in field_errors(act(ent, case_id, {"text_version": TEXT_VERSION, "agree": False}))
    act_ok(ent, case_id, SIGN)
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["data"]["applied"]["needs_review"] is False
    assert city.task_for(case_id) is None  # no review of originals on commitment
    signature = _one(app, CommitmentSignature, CommitmentSignature.case_id == case_id)
    assert signature.text_version == TEXT_VERSION and signature.signed_by == "邕城建设·经办人"
    assert signature.content == committed_content(case["data"])
    assert signature.content_sha256 == content_hash(signature.content) == case["data"]["applied"]["content_sha256"]
    with app.app_context():  # the keyed hash needs the app's data key
        is_clerk = Person.id_number_is(NEW_CLERK)
    clerk = _one(app, Person, is_clerk)
    assert clerk.name == "黄敏" and clerk.employer_id == _one(app, Organisation, Organisation.name == NANNING).id
    with app.app_context():
        kinds = sorted(db.session.scalars(select(EnterpriseEntry.category).where(EnterpriseEntry.case_id == case_id)))
        assert kinds == ["basic", "finance", "personnel", "personnel", "qualification"]
        assert db.session.scalar(select(func.count(EnterpriseEntry.id)).where(
            EnterpriseEntry.case_id == case_id, EnterpriseEntry.status != "effective")) == 0
    record = _one(app, PerformanceRecord, PerformanceRecord.project_name == "南宁五象新区道路工程")
    assert record.source == "in_region" and record.used_in_bid is False and record.fields["location_code"] == "450108"


def test_good_behaviour_and_tax_are_reviewed_item_by_item(as_user: Any, app: Any) -> None:
    ent, city, other_city = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-liuzhou")
    case_id = _start(ent, ["good_behaviour", "tax"])
    data = {"good_behaviours": [{"title": "2025年度广西建筑业优秀企业", "awarded_on": "2025-12-20",
                                 "issuer": "广西建筑业联合会"}],
            "tax_records": [{"year": 2025, "amount": "860.00"}]}
    assert field_errors(act(ent, case_id, data)) == {"review_files": "请上传良好行为、纳税证明扫描件"}
    act_ok(ent, case_id, {**data, "review_files": [upload(ent, case_id, "证明.pdf")]})
    act_ok(ent, case_id, SIGN)
    case = ent.case(case_id)
    assert case["status"] == "running" and case["current_step"] == "审核原件（良好行为、纳税信息）"
    # reaching the city it is acknowledged (its first form received it, its 签署 sent it on: none was issued)
    assert [d["kind"] for d in documents_of(app, case_id)] == ["acceptance"]
    items = case["data"]["applied"]["review_items"]
    assert [i["category"] for i in items] == ["good_behaviour", "tax"]
    review = city.task_for(case_id)
    assert review is not None and other_city.claim(review["id"]).status_code == 404
    good, tax = items[0]["entry_id"], items[1]["entry_id"]
    assert field_errors(act(city, case_id, {"reviews": [{"entry_id": good, "decision": "approve"}]})) == {
        "reviews": "每个待审核事项都须给出审核结论"}
    errors = field_errors(act(city, case_id, {"reviews": [{"entry_id": good, "decision": "approve"},
                                                          {"entry_id": tax, "decision": "reject"}]}))
    assert errors == {"reviews.1.comment": "不予通过须说明理由"}
    act_ok(city, case_id, {"reviews": [{"entry_id": good, "decision": "approve"},
                                       {"entry_id": tax, "decision": "reject", "comment": "完税证明与申报金额不符"}]})
    assert ent.case(case_id)["status"] == "completed"
    # the 办结通知 and the notice say which item passed and which did not (not a bare 已办结)
    completion = next(d for d in documents_of(app, case_id) if d["kind"] == "completion")
    page = WebUser(app, "ent-nanning").login()
    text = download(page, case_id, completion["id"])
    assert "逐项审核结论：" in text and "原件核验一致，通过" in text
    assert re.search(r"纳税[^：]*：不予通过（完税证明与申报金额不符）", text), text
    notices = page.html("/notifications")
    assert 'data-testid="notice-results"' in notices and "不予通过（完税证明与申报金额不符）" in notices
    assert _one(app, EnterpriseEntry, EnterpriseEntry.id == tax).status == "rejected"
    assert _one(app, EnterpriseEntry, EnterpriseEntry.id == good).status == "approved"
    behaviour = _one(app, BehaviourRecord, BehaviourRecord.source_case_id == case_id)
    assert behaviour.kind == "good" and behaviour.title == "2025年度广西建筑业优秀企业"
    assert behaviour.occurred_on.isoformat() == "2025-12-20"


def test_imported_personnel_cannot_be_added_by_hand(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _start(ent, ["personnel"])
    three_types = act(ent, case_id, {"personnel": [{"id_number": NEW_CLERK, "name": "黄敏", "kind": "three_types"}]})
    assert three_types.status_code == 422 and three_types.json["code"] == "person_imported"
    assert "不得手动添加" in three_types.json["message"]
    assert "personnel.0.id_number" in three_types.json["details"]["fields"]
    certified = act(ent, case_id, {"personnel": [{"id_number": LU_WEI, "name": "陆伟", "kind": "other"}]})
    assert certified.json["code"] == "person_imported" and certified.json["details"]["person_id"]
    task_id = ent.case(case_id)["open_tasks"][0]["id"]  # he is chosen by name, not by a 人员编号 no page shows
    form = WebUser(app, "ent-nanning").login().html(f"/tasks/{task_id}")
    assert re.search(rf'<option value="{_person_id(app, "陆伟")}"[^>]*>陆伟（4501\*+\d{{3}}[0-9X]）</option>', form)
    completed = act(ent, case_id, {"personnel": [{"person_id": _person_id(app, "陆伟"), "education": "硕士"}]})
    assert completed.status_code == 200, completed.json  # completing him is allowed
    foreign = as_user("ent-liuzhou")
    other = _start(foreign, ["personnel"])
    assert "personnel.0.person_id" in field_errors(act(foreign, other, {"personnel": [
        {"person_id": _person_id(app, "陆伟"), "education": "硕士"}]}))


def test_imported_and_frozen_performance_cannot_be_edited(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _start(ent, ["performance"])
    imported = _one(app, PerformanceRecord, PerformanceRecord.project_name == "长沙湘江新区道路工程")
    refused = act(ent, case_id, {"performances": [{"record_id": imported.id, "contract_amount": "9999.00"}]})
    assert refused.status_code == 422 and refused.json["code"] == "record_imported"
    frozen = _one(app, PerformanceRecord, PerformanceRecord.project_name == "南宁滨江大道改造工程")
    refused = act(ent, case_id, {"performances": [{"record_id": frozen.id, "contract_amount": "9999.00"}]})
    assert refused.json["code"] == "record_frozen" and refused.json["details"]["procedure"] == "performance_record_edit"
    outside = act(ent, case_id, {"performances": [{"project_name": "长沙某工程", "location_code": "430100",
                                                   "contract_amount": "100.00", "completion_date": "2024-01-01"}]})
    assert outside.json["code"] == "out_of_region_performance"
    assert _one(app, PerformanceRecord, PerformanceRecord.id == imported.id).fields["contract_amount"] == "5100.00"


def test_a_record_under_an_award_lock_is_frozen_though_not_used_in_a_bid(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _start(ent, ["performance"])
    act_ok(ent, case_id, {"performances": [{"project_name": "南宁五象新区道路工程", "location_code": "450103",
                                            "contract_amount": "2680.00", "completion_date": "2025-09-30"}]})
    act_ok(ent, case_id, SIGN)
    record = _one(app, PerformanceRecord, PerformanceRecord.project_name == "南宁五象新区道路工程")
    award_lock(app, record.id)
    shown = ent.get(f"/api/v1/records/performance-records/{record.id}").json
    assert shown["used_in_bid"] is False and shown["frozen"] is True and shown["editable"] is False
    listed = WebUser(app, "ent-nanning").login().html("/records/performance")
    assert re.search(rf'<tr data-record="{record.id}">.*?<td>否（中标锁定，冻结）</td>', listed, re.S)
    case_id = _start(ent, ["performance"])
    refused = act(ent, case_id, {"performances": [{"record_id": record.id, "contract_amount": "9680.00"}]})
    assert refused.status_code == 422 and refused.json["code"] == "record_frozen"
    assert refused.json["details"]["procedure"] == "performance_record_edit"
    assert "投标业绩修改" in refused.json["details"]["fields"]["performances.0.record_id"]
    assert _one(app, PerformanceRecord, PerformanceRecord.id == record.id).fields["contract_amount"] == "2680.00"


def test_performance_values_are_checked_as_the_other_procedures_check_them(as_user: Any, app: Any) -> None:
    """A future completion, a zero amount and an unknown 属地 are refused as 业绩修改, 历史业绩补录 and 迁移数据确认
    refuse them: no record that could never be real becomes usable for bids."""
    ent = as_user("ent-liuzhou")
    case_id = _start(ent, ["performance"])
    impossible = {"project_name": "柳州未来竣工工程", "location_code": "459999", "contract_amount": "0.00",
                  "completion_date": "2099-01-01"}
    assert field_errors(act(ent, case_id, {"performances": [impossible]})) == {
        "performances.0.location_code": "未知的行政区划代码",
        "performances.0.contract_amount": "合同金额应大于0",
        "performances.0.completion_date": "竣工日期应早于今天"}
    assert _one(app, PerformanceRecord, PerformanceRecord.project_name == "柳州未来竣工工程") is None
    act_ok(ent, case_id, {"performances": [{**impossible, "location_code": "450203", "contract_amount": "860.00",
                                            "completion_date": "2025-09-30"}]})
    act_ok(ent, case_id, SIGN)
    own = _one(app, PerformanceRecord, PerformanceRecord.project_name == "柳州未来竣工工程")
    case_id = _start(ent, ["performance"])  # completing a record is checked as entering one
    completing = {"record_id": own.id, "location_code": "459999", "contract_amount": "0",
                  "completion_date": "2099-01-01"}
    assert field_errors(act(ent, case_id, {"performances": [completing]})) == {
        "performances.0.location_code": "未知的行政区划代码",
        "performances.0.contract_amount": "合同金额应大于0",
        "performances.0.completion_date": "竣工日期应早于今天"}
    outside = act(ent, case_id, {"performances": [{"record_id": own.id, "location_code": "430100"}]})
    assert outside.json["code"] == "out_of_region_performance"
    assert _one(app, PerformanceRecord, PerformanceRecord.id == own.id).fields["location_code"] == "450203"


def test_a_person_s_contact_the_enterprise_signed_for_is_his_record_s(as_user: Any, app: Any) -> None:
    """入库: what the enterprise entered and signed is what 桂建云 holds, not an entry beside the person's record."""
    ent = as_user("ent-nanning")
    liang_hai = _person_id(app, "梁海")
    old_phone = _one(app, Person, Person.id == liang_hai).phone
    case_id = _start(ent, ["personnel"])
    act_ok(ent, case_id, {"personnel": [{"person_id": liang_hai, "phone": "13812345678", "education": "本科"}]})
    act_ok(ent, case_id, SIGN)
    assert ent.case(case_id)["status"] == "completed"
    assert ent.get(f"/api/v1/records/persons/{liang_hai}").json["phone"] == "138****5678"
    with app.app_context():
        stored = db.session.execute(text("SELECT phone FROM persons WHERE id = :id"), {"id": liang_hai}).scalar_one()
        assert "13812345678" not in str(stored)  # encrypted at rest, as the model keeps it
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "record.person_changed",
                                                           AuditEntry.object_id == str(liang_hai)))
        assert entry is not None and entry.details["case"] == ent.case(case_id)["number"]
        assert entry.details["after"] == {"phone": "138****5678"}
        assert entry.details["before"] == {"phone": f"{old_phone[:3]}****{old_phone[-4:]}" if old_phone else None}


def test_refusals_at_start_and_withdrawal(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    with app.app_context():
        before = db.session.scalar(select(func.count(Case.id)))
    for outsider in (as_user("city-nanning"), as_user("person")):
        refused = outsider.start("commitment_entry", {"sections": ["basic"]})
        assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    assert "sections" in field_errors(ent.start("commitment_entry", {"sections": []}))
    case_id = _start(ent, ["finance"])
    duplicate = ent.start("commitment_entry", {"sections": ["tax"]})
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    assert field_errors(act(ent, case_id, {"finances": [{"year": 2025, "total_assets": "1", "revenue": "1"}],
                                           "tax_records": [{"year": 2025, "amount": "1"}]})) == {
        "tax_records": "未选择该信息类别，请删除或在发起时选择"}
    act_ok(ent, case_id, {"finances": [{"year": 2025, "total_assets": "1", "revenue": "1"}]})
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "数据有误，重新填报"}).status_code == 200
    assert _one(app, CommitmentSignature, CommitmentSignature.case_id == case_id) is None
    with app.app_context():
        assert db.session.scalar(select(func.count(EnterpriseEntry.id)).where(EnterpriseEntry.case_id == case_id)) == 0
        assert db.session.scalar(select(func.count(Case.id))) == before + 1
    assert ent.start("commitment_entry", {"sections": ["tax"]}).status_code == 201


def test_listed_with_its_start_form(as_user: Any) -> None:
    listed = {p["key"]: p for p in as_user("ent-nanning").get("/api/v1/procedures").json}
    form = listed["commitment_entry"]["start_form"]
    assert form["required"] == ["sections"] and form["properties"]["sections"]["maxItems"] == 7


def test_the_dashboard_counts_reviews_of_originals(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _start(ent, ["tax"])
    act_ok(ent, case_id, {"tax_records": [{"year": 2025, "amount": "860.00"}],
                          "review_files": [upload(ent, case_id, "完税证明.pdf")]})
    act_ok(ent, case_id, SIGN)
    rows = as_user("supervisor").get("/api/v1/dashboard/open_cases").json["rows"]
    assert sum(r["total"] for r in rows if r["procedure"] == "commitment_entry") == 1


LIANG_HAI = id_number("45010719920105003")  # 梁海: ent-nanning's; his only certificate (八大员) expired 2025-12-31


def test_a_deregistered_person_is_entered_by_his_new_employer(as_user: Any, app: Any) -> None:
    former, new_employer = as_user("ent-nanning"), as_user("ent-liuzhou")
    liang_hai = _person_id(app, "梁海")
    in_service = _start(new_employer, ["personnel"])
    clerk = {"id_number": LIANG_HAI, "name": "梁海", "kind": "bid_clerk", "phone": "13800003333"}
    # In service with his employer: entered there already (an expired certificate does not make him imported).
    assert field_errors(act(new_employer, in_service, {"personnel": [clerk]})) == {
        "personnel.0.id_number": "该人员已在其他单位入库，不能重复添加"}
    assert new_employer.post(f"/api/v1/cases/{in_service}/withdraw", {"reason": "先由原单位注销"}).status_code == 200
    deregistered = former.start("personnel_deregistration", {"mode": "employer", "person_id": liang_hai,
                                                             "leave_date": "2026-11-20"})
    assert deregistered.json["status"] == "completed", deregistered.json
    case_id = _start(new_employer, ["personnel"])
    assert field_errors(act(new_employer, case_id, {"personnel": [{**clerk, "name": "梁山"}]})) == {
        "personnel.0.name": "姓名与该身份证号码登记的姓名不一致"}
    act_ok(new_employer, case_id, {"personnel": [clerk]})
    act_ok(new_employer, case_id, SIGN)
    assert new_employer.case(case_id)["status"] == "completed"
    person = _one(app, Person, Person.id == liang_hai)  # his one record, bound to the new employer, in service
    liuzhou = _one(app, Organisation, Organisation.name == "柳州龙城建筑工程有限公司")
    assert person.employer_id == liuzhou.id and person.status == "in_service"
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(Person.id_number_is(LIANG_HAI))) == 1
        audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "record.employer_changed",
                                                           AuditEntry.object_id == str(liang_hai)))
        assert audit is not None and audit.details["case"] == new_employer.case(case_id)["number"]
        assert audit.details["before"]["status"] == "deregistered"
        assert audit.details["after"] == {"employer_id": liuzhou.id, "employer": "柳州龙城建筑工程有限公司",
                                          "status": "in_service"}
    own = new_employer.get("/api/v1/procedures").json  # now among the new employer's persons in service
    start_form = {p["key"]: p for p in own}["personnel_deregistration"]["start_form"]
    assert liang_hai in [c["const"] for c in start_form["properties"]["person_id"]["oneOf"]]
    assert former.start("personnel_deregistration", {"mode": "employer", "person_id": liang_hai,
                                                     "leave_date": "2026-11-20"}).status_code == 422


def test_a_deregistered_holder_of_a_certificate_in_force_is_still_imported(as_user: Any, app: Any) -> None:
    ent = as_user("ent-liuzhou")
    with app.app_context(), unit_of_work():
        db.session.get(Person, _person_id(app, "陆伟")).status = "deregistered"
    case_id = _start(ent, ["personnel"])
    refused = act(ent, case_id, {"personnel": [{"id_number": LU_WEI, "name": "陆伟", "kind": "other"}]})
    assert refused.status_code == 422 and refused.json["code"] == "person_imported"
