"""migrated_data_confirmation (迁移数据确认) through the REST API: every path of its diagram.

Path: the enterprise picks its migrated performance records, sees the other migrated data (finances, awards,
score), completes each record and confirms its 属地: the records become usable for bids, the change kept.
Guards: another enterprise's or a non-migrated record, one already confirmed, a 属地 outside Guangxi, a record
left incomplete, every chosen record confirmed once, the other data confirmed; withdrawal frees the records.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import PerformanceRecord, PerformanceRecordChange
from handlers.commitment import TEXT_VERSION
from tests.procedures.steps import act, act_ok, field_errors
from tests.support.web import WebUser


def _record(app: Any, name: str) -> PerformanceRecord:
    with app.app_context():
        record = db.session.scalar(select(PerformanceRecord).where(PerformanceRecord.project_name == name))
        db.session.expunge(record)
        return record


SEWAGE, ROAD = "南宁江南污水处理厂扩建工程", "南宁体育中心配套道路工程"


def test_confirmed_records_become_usable_for_bids(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    sewage, road = _record(app, SEWAGE), _record(app, ROAD)
    listed = ent.get(f"/api/v1/records/performance-records/{sewage.id}").json
    assert listed["source"] == "migrated" and listed["usable_for_bids"] is False
    started = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id, road.id]})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    case = ent.case(case_id)
    assert case["number"].startswith("QR-") and case["title"] == "迁移数据确认：2 项迁入业绩"
    assert case["data"]["migrated_summary"] == {"finance_years": 3, "awards": 1, "personnel": 0,
                                                "integrity_score": "87.00"}
    incomplete = [{"record_id": sewage.id, "location_code": "450103"},
                  {"record_id": road.id, "location_code": "450107"}]
    errors = field_errors(act(ent, case_id, {"records": incomplete}))
    assert errors == {"records.0.completion_date": "迁入数据缺少此项，请补充",
                      "confirm_other": "请核对并确认迁入的财务、获奖、诚信评分和人员信息"}
    outside = act(ent, case_id, {"records": [{**incomplete[0], "location_code": "430102"}, incomplete[1]],
                                 "confirm_other": True})
    assert outside.status_code == 422 and outside.json["code"] == "out_of_region_performance"
    assert field_errors(act(ent, case_id, {"records": incomplete[:1], "confirm_other": True}))["records"]
    act_ok(ent, case_id, {"records": [{**incomplete[0], "completion_date": "2020-11-30"}, incomplete[1]],
                          "confirm_other": True})
    assert ent.case(case_id)["status"] == "completed"
    for name, location in ((SEWAGE, "450103"), (ROAD, "450107")):
        record = _record(app, name)
        assert record.usable_for_bids and record.fields["location_code"] == location
        assert record.fields["confirmed_case"] == case["number"]
    assert _record(app, SEWAGE).fields["completion_date"] == "2020-11-30"
    assert ent.get(f"/api/v1/records/performance-records/{sewage.id}").json["usable_for_bids"] is True
    with app.app_context():
        change = db.session.scalar(select(PerformanceRecordChange).where(
            PerformanceRecordChange.record_id == sewage.id))
        assert change.case_id == case_id and change.old_values == {"location_code": None, "completion_date": None}
    again = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]})
    assert "record_ids.0" in field_errors(again) or "record_ids" in field_errors(again)  # confirmed: not offered


def test_refusals_and_withdrawal(as_user: Any, app: Any) -> None:
    ent, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    sewage = _record(app, SEWAGE)
    assert field_errors(liuzhou.start("migrated_data_confirmation", {"record_ids": [sewage.id]}))
    in_region = _record(app, "南宁滨江大道改造工程")
    assert field_errors(ent.start("migrated_data_confirmation", {"record_ids": [in_region.id]}))
    refused = as_user("city-nanning").start("migrated_data_confirmation", {"record_ids": [sewage.id]})
    assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    case_id = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]}).json["id"]
    duplicate = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]})
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "先核对合同"}).status_code == 200
    assert _record(app, SEWAGE).usable_for_bids is False
    assert ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]}).status_code == 201
    listed = {p["key"]: p for p in ent.get("/api/v1/procedures").json}
    choices = listed["migrated_data_confirmation"]["start_form"]["properties"]["record_ids"]["items"]["oneOf"]
    assert {c["title"] for c in choices} == {f"{SEWAGE}（待确认属地）", "南宁体育中心配套道路工程（待确认属地）"}


def test_a_migrated_record_is_not_completed_on_commitment(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = ent.start("commitment_entry", {"sections": ["performance"]}).json["id"]
    refused = act(ent, case_id, {"performances": [{"record_id": _record(app, SEWAGE).id, "location_code": "450103"}]})
    assert refused.status_code == 422 and refused.json["code"] == "record_migrated"
    assert refused.json["details"]["procedure"] == "migrated_data_confirmation"


def test_the_confirmation_opens_with_the_migrated_values(as_user: Any, app: Any) -> None:
    """The enterprise completes what was migrated: the form shows each record's values (it used to open empty,
    and what was missing came out one refusal at a time)."""
    ent = as_user("ent-nanning")
    sewage = _record(app, SEWAGE)
    migrated = {k: str(v) for k, v in (sewage.fields or {}).items()
                if k in ("location_code", "contract_amount", "completion_date", "project_manager",
                         "construction_unit")}
    assert migrated.get("contract_amount")  # the demo's migrated record holds its amount
    case_id = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]}).json["id"]
    assert ent.case(case_id)["data"]["records"] == [{"record_id": sewage.id, **migrated}]
    task_id = ent.case(case_id)["open_tasks"][0]["id"]
    page = WebUser(app, "ent-nanning").login().html(f"/tasks/{task_id}")
    assert f'value="{migrated["contract_amount"]}"' in page


def test_a_confirmed_record_is_corrected_like_any_in_region_record(as_user: Any, app: Any) -> None:
    """Before: 投标业绩修改 said 在“入库信息填报”中完善, 入库信息填报 sent it back to 迁移数据确认, which no longer
    offered it once confirmed: a confirmed migrated record could never be corrected."""
    ent = as_user("ent-nanning")
    sewage = _record(app, SEWAGE)
    edit = ent.start("performance_record_edit", {"record_id": sewage.id})
    assert edit.status_code == 422 and edit.json["code"] == "record_migrated"  # not confirmed yet: confirm first
    case_id = ent.start("migrated_data_confirmation", {"record_ids": [sewage.id]}).json["id"]
    act_ok(ent, case_id, {"records": [{"record_id": sewage.id, "location_code": "450103",
                                       "completion_date": "2020-11-30"}], "confirm_other": True})
    entry = ent.start("commitment_entry", {"sections": ["performance"]})
    assert entry.status_code == 201, entry.json
    act_ok(ent, entry.json["id"], {"performances": [{"record_id": sewage.id, "contract_amount": "4700.00"}]})
    act_ok(ent, entry.json["id"], {"text_version": TEXT_VERSION, "agree": True})  # the 入库承诺书 signed
    assert ent.case(entry.json["id"])["status"] == "completed"
    assert _record(app, SEWAGE).fields["contract_amount"] == "4700.00"
