"""historical_performance (历史业绩补录) through the REST API: every path of its diagram.

Paths: approve (the project becomes an in-region record), return for supplement then approve, reject,
withdraw. Guards: an out-of-region project, a completion date not in the past, a project the enterprise has
already recorded, a second open application, the documents, the originals checked before approval.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import PerformanceRecord
from tests.procedures.steps import act, act_ok, field_errors, upload

PROJECT = {"project_name": "南宁青秀山景区道路工程", "location_code": "450103", "contract_amount": "1320.00",
           "completion_date": "2019-06-30", "project_manager": "陆伟", "construction_unit": "南宁市青秀山管委会"}


def _docs(ent: Any, case_id: int) -> dict[str, list[str]]:
    return {name: [upload(ent, case_id, f"{name}.pdf")] for name in ("contract_files", "completion_files",
                                                                      "bid_award_files")}


def _record(app: Any, name: str) -> PerformanceRecord | None:
    with app.app_context():
        record = db.session.scalar(select(PerformanceRecord).where(PerformanceRecord.project_name == name))
        if record is not None:
            db.session.expunge(record)
        return record


def test_returned_then_approved_project_becomes_an_in_region_record(as_user: Any, app: Any) -> None:
    ent, city, other = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-liuzhou")
    started = ent.start("historical_performance", PROJECT)
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    assert started.json["number"].startswith("LS-") and started.json["region_code"] == "450100"
    assert set(field_errors(act(ent, case_id, {}))) == {"contract_files", "completion_files", "bid_award_files"}
    act_ok(ent, case_id, _docs(ent, case_id))
    review = city.task_for(case_id)
    assert review["title"] == "审核历史业绩补录" and other.claim(review["id"]).status_code == 404
    assert "comment" in field_errors(act(city, case_id, {"decision": "return"}))
    act_ok(city, case_id, {"decision": "return", "comment": "中标通知书不清晰，请重新上传"})
    assert ent.case(case_id)["status"] == "waiting_for_applicant"
    act_ok(ent, case_id, {**_docs(ent, case_id), "note": "已重新扫描"})
    assert field_errors(act(city, case_id, {"decision": "approve"})) == {
        "originals_checked": "同意补录前须核验材料原件"}
    act_ok(city, case_id, {"decision": "approve", "originals_checked": True})
    assert ent.case(case_id)["status"] == "completed"
    record = _record(app, PROJECT["project_name"])
    assert record is not None and record.source == "in_region" and not record.used_in_bid
    assert record.fields["location_code"] == "450103" and record.fields["historical_case"] == started.json["number"]
    again = ent.start("historical_performance", PROJECT)
    assert again.status_code == 422 and again.json["code"] == "record_exists"


def test_rejected_and_withdrawn_applications_add_nothing(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = ent.start("historical_performance", PROJECT).json["id"]
    duplicate = ent.start("historical_performance", PROJECT)
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    act_ok(ent, case_id, _docs(ent, case_id))
    act_ok(city, case_id, {"decision": "reject", "comment": "竣工验收合格意见书与工程名称不符"})
    assert ent.case(case_id)["status"] == "completed" and _record(app, PROJECT["project_name"]) is None
    second = ent.start("historical_performance", PROJECT).json["id"]
    assert ent.post(f"/api/v1/cases/{second}/withdraw", {"reason": "材料不全"}).status_code == 200
    assert _record(app, PROJECT["project_name"]) is None


def test_refusals_at_start(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    outside = ent.start("historical_performance", {**PROJECT, "location_code": "430102"})
    assert outside.status_code == 422 and outside.json["code"] == "out_of_region_performance"
    province = ent.start("historical_performance", {**PROJECT, "location_code": "450000"})  # no city reviews it
    assert field_errors(province) == {
        "location_code": "项目属地应为设区市或县（市、区）的行政区划代码，不能是自治区本级"}
    future = ent.start("historical_performance", {**PROJECT, "completion_date": "2099-01-01"})
    assert field_errors(future) == {"completion_date": "历史业绩的竣工日期应早于今天"}
    known = ent.start("historical_performance", {**PROJECT, "project_name": "南宁滨江大道改造工程"})
    assert known.json["code"] == "record_exists"
    refused = as_user("city-nanning").start("historical_performance", PROJECT)
    assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    listed = {p["key"]: p for p in ent.get("/api/v1/procedures").json}
    assert "project_name" in listed["historical_performance"]["start_form"]["required"]


def test_the_dashboard_counts_open_applications(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = ent.start("historical_performance", PROJECT).json["id"]
    act_ok(ent, case_id, _docs(ent, case_id))
    rows = as_user("supervisor-nanning").get("/api/v1/dashboard/open_cases").json["rows"]
    [row] = [r for r in rows if r["procedure"] == "historical_performance"]
    assert row["total"] == 1 and row["procedure_name"] == "历史业绩补录"
