"""Data-level upgrade C → B → A through the REST API as the demo roles: every path and every refusal."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from freezegun import freeze_time
from lxml import etree

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.models import Project
from tests.documents.test_case_documents import documents_of, download
from tests.procedures.test_data_upgrade_b_to_a import (
    B_PROJECT,
    C_PROJECT,
    case_count,
    level_of,
    project_id,
    record_data,
    reports,
    start_case,
    start_data,
    work,
)
from tests.support.deadlines import local
from tests.support.web import WebUser

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN, BPMNDI = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://www.omg.org/spec/BPMN/20100524/DI"
def today() -> str:
    """Today in China, when asked: the verification the city records is dated so too (a date taken when the module
    was imported fell before it when the suite ran across China's midnight, 16:00 UTC)."""
    return (utcnow() + timedelta(hours=8)).date().isoformat()


def dispatch() -> dict[str, str]:
    return {"dispatch_date": today(), "courier_company": "中国邮政EMS", "tracking_number": "EA123456789CN"}


def receipt() -> dict[str, object]:
    return {"original_received": True, "received_date": today(), "original_consistent": True}


def approved_by_city(as_user: Any) -> dict[str, Any]:
    """Start a C → A case and let the Nanning city approve it (the project is B from then on)."""
    case = start_case(as_user("ent-nanning"), "data_upgrade_c_to_a", C_PROJECT)
    response = work(as_user("city-nanning"), case["id"], {"decision": "approve"}, "审核C级提升申请")
    assert response.status_code == 200, response.json
    return case


def recorded_and_sent(city: Any, case_id: int) -> None:
    assert work(city, case_id, record_data(), "填写企业业绩实地核查记录表").status_code == 200
    assert work(city, case_id, dispatch(), "寄送盖章原件").status_code == 200


def test_city_approval_makes_b_then_province_confirmation_makes_a(as_user: Any, app: Flask) -> None:
    ent, city, province = as_user("ent-nanning"), as_user("city-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_c_to_a", C_PROJECT)
    pid = case["data"]["project_id"]
    assert case["number"].startswith("SJCA-") and case["title"] == "数据等级C级提升为A级：南宁第三中学教学楼工程"
    assert province.task_for(case["id"]) is None and as_user("city-liuzhou").task_for(case["id"]) is None
    assert work(city, case["id"], {"decision": "approve"}, "审核C级提升申请").status_code == 200
    assert level_of(app, pid) == "B" and reports(app) == []  # B-level data at once, nothing reported yet
    assert work(city, case["id"], record_data(), "填写企业业绩实地核查记录表").status_code == 200
    task = city.task_for(case["id"], view="mine")  # consecutive city steps stay with the same reviewer
    assert task is not None and task["title"] == "寄送盖章原件"
    bad = city.complete(task["id"], {**dispatch(), "tracking_number": "快递"})
    assert bad.status_code == 422 and bad.json["details"]["fields"]["tracking_number"] == "快递单号应为6-30位字母或数字"
    early = city.complete(task["id"], {**dispatch(), "dispatch_date": "2020-01-01"})
    assert early.status_code == 422 and early.json["details"]["fields"]["dispatch_date"] == "寄送日期不能早于核查日期"
    assert city.complete(task["id"], dispatch()).status_code == 200
    confirm = province.task_for(case["id"])
    assert confirm["title"] == "接收原件并审定"
    province.claim(confirm["id"])
    not_arrived = province.complete(confirm["id"], {"decision": "approve", "received_date": today()})
    assert not_arrived.status_code == 422
    assert not_arrived.json["details"]["fields"]["original_received"] == "尚未收到盖章的核查记录表原件，不能确认提升"
    mismatch = province.complete(confirm["id"], {**receipt(), "original_consistent": False, "decision": "approve"})
    assert mismatch.json["details"]["fields"]["original_consistent"] == "原件与系统中的核查记录不一致，不能确认提升"
    assert level_of(app, pid) == "B"
    assert province.complete(confirm["id"], {**receipt(), "decision": "approve"}).status_code == 200
    final = ent.case(case["id"])
    assert final["status"] == "completed" and level_of(app, pid) == "A"
    [report] = reports(app)
    assert report.idempotency_key == f"national-platform:data-level:{final['number']}"
    assert report.payload["old_level"] == "B" and report.payload["new_level"] == "A"
    assert report.payload["application_level"] == "C" and report.payload["verified_by"] == "city_on_site_record"


def test_city_refusal_needs_a_reason_and_keeps_level_c(as_user: Any, app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case = start_case(ent, "data_upgrade_c_to_a", C_PROJECT)
    no_reason = work(city, case["id"], {"decision": "reject"})
    assert no_reason.status_code == 422 and no_reason.json["details"]["fields"]["comment"] == "不予同意时须填写理由"
    task = city.tasks("mine")[0]
    assert city.complete(task["id"], {"decision": "reject", "comment": "未提供竣工验收资料"}).status_code == 200
    final = ent.case(case["id"])
    assert final["status"] == "completed"
    assert final["data"]["outcome"]["message"] == "不予提升，项目数据等级保持C级。理由：未提供竣工验收资料"
    assert level_of(app, case["data"]["project_id"]) == "C" and reports(app) == []


def test_province_rejection_keeps_level_b_and_shows_the_reason(as_user: Any, app: Flask) -> None:
    ent, city, province = as_user("ent-nanning"), as_user("city-nanning"), as_user("province")
    case = approved_by_city(as_user)
    recorded_and_sent(city, case["id"])
    no_reason = work(province, case["id"], {"decision": "reject"})
    assert no_reason.status_code == 422
    assert no_reason.json["details"]["fields"]["comment"] == "不予提升时须填写理由"
    task = province.tasks("mine")[0]
    assert province.complete(task["id"], {"decision": "reject", "comment": "原件项目经理签字缺失"}).status_code == 200
    final = ent.case(case["id"])
    assert final["status"] == "completed" and final["data"]["comment"] == "原件项目经理签字缺失"
    assert final["data"]["outcome"]["message"] == "不予提升，项目数据等级保持B级。理由：原件项目经理签字缺失"
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []


def test_province_returns_the_record_to_the_city_then_confirms(as_user: Any, app: Flask) -> None:
    city, province = as_user("city-nanning"), as_user("province")
    case = approved_by_city(as_user)
    recorded_and_sent(city, case["id"])
    asked = "核查记录缺少现场照片，请补充后重新寄送"
    returned = work(province, case["id"], {"decision": "return", "return_note": asked})
    assert returned.status_code == 200, returned.json
    again = city.task_for(case["id"])
    assert again["title"] == "填写企业业绩实地核查记录表"
    detail = city.get(f"/api/v1/tasks/{again['id']}").json
    assert detail["data"]["return_note"] == asked
    assert detail["data"]["verification_location"] == record_data()["verification_location"]  # pre-filled
    photo = city.upload(case["id"], filename="现场照片.jpg", content=b"\xff\xd8\xff\xe0" + b"0" * 64).json["id"]
    assert work(city, case["id"], record_data(record_files=[photo])).status_code == 200
    assert work(city, case["id"], {**dispatch(), "tracking_number": "EA987654321CN"}).status_code == 200
    assert level_of(app, case["data"]["project_id"]) == "B"
    assert work(province, case["id"], {**receipt(), "decision": "approve"}).status_code == 200
    assert level_of(app, case["data"]["project_id"]) == "A" and len(reports(app)) == 1


def test_an_inconsistent_city_record_cannot_be_confirmed(as_user: Any, app: Flask) -> None:
    city, province = as_user("city-nanning"), as_user("province")
    case = approved_by_city(as_user)
    inconsistent = record_data(conclusion="inconsistent", conclusion_note="工程实体与申报不符",
                               findings={**record_data()["findings"], "site": {"result": "inconsistent"}})
    assert work(city, case["id"], inconsistent, "填写企业业绩实地核查记录表").status_code == 200
    assert work(city, case["id"], dispatch(), "寄送盖章原件").status_code == 200
    refused = work(province, case["id"], {**receipt(), "decision": "approve"}, "接收原件并审定")
    assert refused.status_code == 422 and refused.json["code"] == "verification_inconsistent"
    assert refused.json["message"].startswith("核查结论为“核查不属实”，不能确认提升为A级")
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []
    task = province.tasks("mine")[0]
    refused = province.complete(task["id"], {**receipt(), "decision": "reject", "comment": "核查不属实"})
    assert refused.status_code == 200
    final = as_user("ent-nanning").case(case["id"])
    assert final["status"] == "completed" and final["data"]["outcome"]["level"] == "B"
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []


def test_withdrawn_after_the_city_approval_the_project_stays_b(as_user: Any, app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case = approved_by_city(as_user)
    pid = case["data"]["project_id"]
    assert city.task_for(case["id"], view="mine")["title"] == "填写企业业绩实地核查记录表"
    withdrawn = ent.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "暂不申请提升"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert ent.case(case["id"])["open_tasks"] == [] and city.task_for(case["id"], view="mine") is None
    assert level_of(app, pid) == "B" and reports(app) == []  # reviewed B-level data is kept, nothing reported
    again = ent.start("data_upgrade_b_to_a", start_data(pid))  # the project now takes the B → A procedure
    assert again.status_code == 201, again.json


# -- refusals ------------------------------------------------------------------------------------------------------
def test_start_refusals(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    wrong_level = ent.start("data_upgrade_c_to_a", start_data(project_id(ent, B_PROJECT)))
    assert wrong_level.status_code == 422 and wrong_level.json["code"] == "project_level_not_c"
    other = as_user("ent-liuzhou").start("data_upgrade_c_to_a", start_data(project_id(ent, C_PROJECT)))
    assert other.status_code == 422
    assert other.json["details"]["fields"]["project_id"] == "只能选择本单位作为原录入单位的项目"
    no_commitment = ent.start("data_upgrade_c_to_a", {**start_data(project_id(ent, C_PROJECT)), "commitment": False})
    assert no_commitment.status_code == 422
    assert no_commitment.json["details"]["fields"]["commitment"] == "须勾选真实性承诺后方可提交"
    assert case_count(app) == 0


def test_an_open_c_to_a_case_blocks_any_other_upgrade_of_the_project(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    case = approved_by_city(as_user)  # the project is B now, the case still open
    pid = case["data"]["project_id"]
    b_to_a = ent.start("data_upgrade_b_to_a", start_data(pid))
    assert b_to_a.status_code == 422 and b_to_a.json["code"] == "upgrade_case_open"
    c_to_a = ent.start("data_upgrade_c_to_a", start_data(pid))
    assert c_to_a.status_code == 422 and c_to_a.json["code"] == "project_level_not_c"
    assert case_count(app) == 1


def test_other_regions_do_not_see_or_work_the_case(as_user: Any) -> None:
    case = start_case(as_user("ent-nanning"), "data_upgrade_c_to_a", C_PROJECT)
    review = as_user("city-nanning").task_for(case["id"])
    outsider = as_user("city-liuzhou")
    assert outsider.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert outsider.claim(review["id"]).status_code == 404
    assert outsider.complete(review["id"], {"decision": "approve"}).status_code == 404
    assert as_user("ent-liuzhou").get(f"/api/v1/cases/{case['id']}").status_code == 404


def test_a_level_changed_elsewhere_meanwhile_puts_the_case_in_error(as_user: Any, app: Flask) -> None:
    """The data exchange moved the project to B before the city approved: nothing is overwritten."""
    case = start_case(as_user("ent-nanning"), "data_upgrade_c_to_a", C_PROJECT)
    with app.app_context(), unit_of_work():
        db.session.get(Project, case["data"]["project_id"]).data_level = "B"
    assert work(as_user("city-nanning"), case["id"], {"decision": "approve"}).status_code == 200
    broken = as_user("province").case(case["id"])
    assert broken["status"] == "error" and "不是C级" in broken["error_message"]
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []


def test_both_diagrams_carry_full_di_for_the_modeler() -> None:
    """bpmn-js draws only what has DI: every node, lane and flow has a shape or edge."""
    for name in ("data_upgrade_b_to_a", "data_upgrade_c_to_a"):
        root = etree.parse(str(BPMN_DIR / f"{name}.bpmn")).getroot()
        process = root.find(f"{{{BPMN}}}process")
        elements = {e.get("id") for e in process.iter(f"{{{BPMN}}}*") if e.get("id")
                    and etree.QName(e).localname != "laneSet"}
        elements.discard(process.get("id"))
        drawn = {d.get("bpmnElement") for d in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
        assert elements and elements <= drawn, (name, elements - drawn)


def test_consecutive_city_steps_stay_with_the_reviewer_who_approved(as_user: Any, app: Flask) -> None:
    """The city reviewer who approved goes on with the record and the dispatch: no re-claiming each step;
    a colleague of the same city does not find them in his pool."""
    city = as_user("city-nanning")
    case = approved_by_city(as_user)
    record = city.task_for(case["id"], view="mine")
    assert record is not None and record["title"] == "填写企业业绩实地核查记录表"
    assert record["assignee"]["username"] == "city-nanning"
    assert city.task_for(case["id"]) is None  # not back in the claimable pool
    assert city.complete(record["id"], record_data()).status_code == 200
    dispatch = city.task_for(case["id"], view="mine")
    assert dispatch is not None and dispatch["title"] == "寄送盖章原件"
    events = [e for e in city.case(case["id"])["history"] if e["kind"] == "task_assigned"]
    assert [e["payload"].get("rule") for e in events] == ["sameReviewer", "sameReviewer"]


def test_a_start_answers_with_the_deadline_flags_a_read_gives(app: Flask, as_user: Any) -> None:
    """Started on 2026-12-20, the statutory limit ends in 2027, whose holidays are not confirmed: the start's
    answer said deadline_provisional false while reading the case said true."""
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-12-20 10:00")):
        started = start_case(ent, "data_upgrade_c_to_a", C_PROJECT)
        read = ent.case(started["id"])
    assert read["deadline_provisional"] is True
    assert started["deadline_provisional"] is True and started["statutory_overdue"] == read["statutory_overdue"]
    assert started["due_at"] == read["due_at"] and read["due_at"].endswith("+00:00")  # one spelling: UTC (was +08:00)
    # the 受理通知书 does not state that provisional date as a firm one (元旦 2027 was counted as a working day)
    [acceptance] = [d for d in documents_of(app, started["id"]) if d["kind"] == "acceptance"]
    text = download(WebUser(app, "ent-nanning").login(), started["id"], acceptance["id"])
    assert "前办结（该日期涉及尚未公布的节假日安排，为暂定）" in text
