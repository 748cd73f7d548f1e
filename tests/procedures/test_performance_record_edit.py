"""performance_record_edit through the REST API: every path of bpmn/performance_record_edit.bpmn.

Paths: approve (change applied, old values kept), reject (record unchanged), withdraw; refusals at start
(imported record, record not frozen, another enterprise's record, wrong role, duplicate open case),
in the application (missing documents, wrong old value) and in the review (originals not all shown,
the record changed meanwhile).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Case, Organisation, PerformanceRecord, PerformanceRecordChange, RecordSource
from tests.procedures.steps import act, act_ok, award_lock, field_errors, upload

ALL_ORIGINALS = {"original_bid_award": True, "original_contract": True, "original_permit": True,
                 "original_completion": True}


def _record(app: Any, name: str) -> PerformanceRecord:
    with app.app_context():
        record = db.session.scalar(select(PerformanceRecord).where(PerformanceRecord.project_name == name))
        db.session.expunge(record)
        return record


def _changes(app: Any, record_id: int) -> list[PerformanceRecordChange]:
    with app.app_context():
        rows = list(db.session.scalars(select(PerformanceRecordChange).where(
            PerformanceRecordChange.record_id == record_id)))
        db.session.expunge_all()
        return rows


def _start(ent: Any, app: Any, name: str = "南宁滨江大道改造工程") -> int:
    started = ent.start("performance_record_edit", {"record_id": _record(app, name).id})
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def _documents(ent: Any, case_id: int) -> dict[str, list[str]]:
    return {"bid_award_files": [upload(ent, case_id, "中标通知书.pdf")],
            "contract_files": [upload(ent, case_id, "施工合同.pdf")],
            "permit_files": [upload(ent, case_id, "施工许可证.pdf")],
            "completion_files": [upload(ent, case_id, "竣工验收合格意见书.pdf")]}


CHANGES = [{"field": "contract_amount", "old_value": "3200.00", "new_value": "3250.00"},
           {"field": "project_manager", "old_value": "陆伟", "new_value": "覃丽"}]


def test_approved_change_is_applied_and_the_old_values_are_kept(as_user: Any, app: Any) -> None:
    ent, province, city, other_city = (as_user("ent-nanning"), as_user("province"), as_user("city-nanning"),
                                       as_user("city-liuzhou"))
    case_id = _start(ent, app)
    case = ent.case(case_id)
    assert case["number"].startswith("YJ-") and case["title"] == "投标业绩修改：南宁滨江大道改造工程"
    missing = field_errors(act(ent, case_id, {"changes": CHANGES, "reason": "合同金额录入错误"}))
    assert set(missing) >= {"bid_award_files", "contract_files", "permit_files", "completion_files"}
    docs = _documents(ent, case_id)
    wrong_old = [{"field": "contract_amount", "old_value": "3000.00", "new_value": "3250.00"}]
    errors = field_errors(act(ent, case_id, {"changes": wrong_old, "reason": "合同金额录入错误", **docs}))
    assert errors == {"changes.0.old_value": "原值与业绩记录不符，记录中为“3200.00”"}
    bad = [{"field": "contract_amount", "old_value": "3200.00", "new_value": "三千"},
           {"field": "completion_date", "old_value": "2024-06-30", "new_value": "2024-06-30"}]
    errors = field_errors(act(ent, case_id, {"changes": bad, "reason": "合同金额录入错误", **docs}))
    assert errors == {"changes.0.new_value": "合同金额应为数字（万元），最多两位小数",
                      "changes.1.new_value": "新值与原值相同"}
    future = [{"field": "completion_date", "old_value": "2024-06-30", "new_value": "2099-01-01"}]
    assert field_errors(act(ent, case_id, {"changes": future, "reason": "竣工日期录入错误", **docs})) == {
        "changes.0.new_value": "竣工日期应早于今天"}  # a record used in a bid is a finished project's
    for unreadable in ("1e400", "NaN", "Infinity", "3250.123"):
        odd = [{"field": "contract_amount", "old_value": "3200.00", "new_value": unreadable}]
        assert field_errors(act(ent, case_id, {"changes": odd, "reason": "合同金额录入错误", **docs})) == {
            "changes.0.new_value": "合同金额应为数字（万元），最多两位小数"}, unreadable
    huge = [{"field": "contract_amount", "old_value": "3200.00", "new_value": "99999999"}]
    assert field_errors(act(ent, case_id, {"changes": huge, "reason": "合同金额录入错误", **docs})) == {
        "changes.0.new_value": "合同金额不能超过 10000000 万元"}
    act_ok(ent, case_id, {"changes": CHANGES, "reason": "合同金额录入错误，项目经理登记有误", **docs})
    review = province.task_for(case_id)
    assert review["title"] == "审核业绩修改（核验原件）" and review["region_code"] == "450000"
    assert city.claim(review["id"]).status_code == 403  # a city sees its region's case but does not review it
    assert other_city.claim(review["id"]).status_code == 404
    three = {**ALL_ORIGINALS, "original_permit": False}
    assert field_errors(act(province, case_id, {"decision": "approve", **three})) == {
        "original_permit": "批准前须核验施工许可证原件"}
    assert _record(app, "南宁滨江大道改造工程").fields["contract_amount"] == "3200.00"
    act_ok(province, case_id, {"decision": "approve", **ALL_ORIGINALS})
    assert ent.case(case_id)["status"] == "completed"
    record = _record(app, "南宁滨江大道改造工程")
    assert record.fields["contract_amount"] == "3250.00" and record.fields["project_manager"] == "覃丽"
    assert record.fields["completion_date"] == "2024-06-30" and record.used_in_bid is True
    [change] = _changes(app, record.id)
    assert change.case_id == case_id
    assert change.old_values == {"contract_amount": "3200.00", "project_manager": "陆伟"}
    assert change.new_values == {"contract_amount": "3250.00", "project_manager": "覃丽"}


def test_rejected_change_leaves_the_record_as_it_was(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id = _start(ent, app)
    duplicate = ent.start("performance_record_edit", {"record_id": _record(app, "南宁滨江大道改造工程").id})
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    rename = [{"field": "project_name", "old_value": "南宁滨江大道改造工程", "new_value": "南宁滨江大道综合改造工程"}]
    act_ok(ent, case_id, {"changes": rename, "reason": "工程名称与合同不一致", **_documents(ent, case_id)})
    assert "comment" in field_errors(act(province, case_id, {"decision": "reject"}))
    act_ok(province, case_id, {"decision": "reject", "comment": "施工合同载明的工程名称与申请不符"})
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["data"]["decision"] == "reject"
    record = _record(app, "南宁滨江大道改造工程")
    assert record.project_name == "南宁滨江大道改造工程" and _changes(app, record.id) == []
    assert ent.start("performance_record_edit", {"record_id": record.id}).status_code == 201  # may apply anew


def test_refusals_at_start(as_user: Any, app: Any) -> None:
    ent, person, province = as_user("ent-nanning"), as_user("person"), as_user("province")
    with app.app_context():
        before = db.session.scalar(select(func.count(Case.id)))
    imported = ent.start("performance_record_edit", {"record_id": _record(app, "长沙湘江新区道路工程").id})
    assert imported.status_code == 422 and imported.json["code"] == "record_imported"
    assert "区外业绩，不能在本系统修改" in imported.json["message"]
    foreign = ent.start("performance_record_edit", {"record_id": _record(app, "柳州滨江大道改造工程").id})
    assert "record_id" in field_errors(foreign)
    with app.app_context(), unit_of_work():
        nanning = db.session.scalar(select(Organisation).where(Organisation.name == "广西邕城建设集团有限公司"))
        db.session.add(PerformanceRecord(enterprise_id=nanning.id, project_name="南宁未投标工程",
                                         source=RecordSource.IN_REGION, used_in_bid=False, fields={}))
    unfrozen = ent.start("performance_record_edit", {"record_id": _record(app, "南宁未投标工程").id})
    assert unfrozen.json["code"] == "record_not_frozen"
    for outsider in (person, province):
        refused = outsider.start("performance_record_edit", {"record_id": _record(app, "南宁滨江大道改造工程").id})
        assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == before


def test_a_record_under_an_award_lock_is_changed_only_by_application(as_user: Any, app: Any) -> None:
    """An award lock (中标锁定) freezes a record not (yet) used in a bid: this procedure is its way to a change."""
    ent = as_user("ent-nanning")
    with app.app_context(), unit_of_work():
        nanning = db.session.scalar(select(Organisation).where(Organisation.name == "广西邕城建设集团有限公司"))
        db.session.add(PerformanceRecord(enterprise_id=nanning.id, project_name="南宁中标锁定工程",
                                         source=RecordSource.IN_REGION, used_in_bid=False,
                                         fields={"contract_amount": "2680.00"}))
    record_id = _record(app, "南宁中标锁定工程").id
    assert ent.start("performance_record_edit", {"record_id": record_id}).json["code"] == "record_not_frozen"
    award_lock(app, record_id)
    listed = ent.get("/api/v1/procedures").json
    choices = {c["const"]: c["title"] for c in {p["key"]: p for p in listed}["performance_record_edit"]
               ["start_form"]["properties"]["record_id"]["oneOf"]}
    assert choices[record_id] == "南宁中标锁定工程（中标锁定）"
    case_id = _start(ent, app, "南宁中标锁定工程")
    act_ok(ent, case_id, {"changes": [{"field": "contract_amount", "old_value": "2680.00", "new_value": "2860.00"}],
                          "reason": "合同金额录入错误", **_documents(ent, case_id)})
    act_ok(as_user("province"), case_id, {"decision": "approve", **ALL_ORIGINALS})
    assert _record(app, "南宁中标锁定工程").fields["contract_amount"] == "2860.00"


def test_withdrawn_application_leaves_the_record_and_frees_it(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id = _start(ent, app)
    act_ok(ent, case_id, {"changes": CHANGES, "reason": "合同金额录入错误", **_documents(ent, case_id)})
    assert province.task_for(case_id) is not None
    withdrawn = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "金额核对无误，不再修改"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert province.task_for(case_id) is None and ent.case(case_id)["open_tasks"] == []
    record = _record(app, "南宁滨江大道改造工程")
    assert record.fields["contract_amount"] == "3200.00" and _changes(app, record.id) == []
    assert ent.start("performance_record_edit", {"record_id": record.id}).status_code == 201


def test_approval_is_refused_when_the_record_changed_meanwhile(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id = _start(ent, app)
    act_ok(ent, case_id, {"changes": CHANGES, "reason": "合同金额录入错误", **_documents(ent, case_id)})
    with app.app_context(), unit_of_work():  # corrected elsewhere (e.g. by the trading platform's exchange)
        record = db.session.get(PerformanceRecord, _record(app, "南宁滨江大道改造工程").id)
        record.fields = {**record.fields, "contract_amount": "3300.00"}
    errors = field_errors(act(province, case_id, {"decision": "approve", **ALL_ORIGINALS}))
    assert errors == {"decision": "业绩记录已发生变化，与申请所述原值不一致，不能批准"}
    record = _record(app, "南宁滨江大道改造工程")
    assert record.fields["contract_amount"] == "3300.00" and record.fields["project_manager"] == "陆伟"
    assert _changes(app, record.id) == [] and ent.case(case_id)["status"] == "running"
    act_ok(province, case_id, {"decision": "reject", "comment": "业绩记录已变更，请按现值重新申请"})
    assert ent.case(case_id)["status"] == "completed"
