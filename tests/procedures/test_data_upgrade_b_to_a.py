"""Data-level upgrade B → A through the REST API as the demo roles: every path and every refusal."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.jobs.exchange import dispatch_outbox
from app.models import Case, OutboxMessage, Project
from tests.support.web import WebUser

B_PROJECT, C_PROJECT = "4501002024B001", "4501002025C002"
LIUZHOU_B_PROJECT = "4502002024B001"


# -- helpers shared with test_data_upgrade_c_to_a ----------------------------------------------------------------
def project_id(user: Any, code: str) -> int:
    """The enterprise finds its project in the records API, as the web page does."""
    response = user.get(f"/api/v1/records/projects?q={code}")
    assert response.status_code == 200, response.json
    return int(response.json["items"][0]["id"])


def level_of(app: Flask, pid: int) -> str:
    with app.app_context():
        return str(db.session.get(Project, pid).data_level)


def reports(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def case_count(app: Flask) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(Case.id))))


def start_data(pid: int) -> dict[str, Any]:
    return {"project_id": pid, "contact_name": "黄工", "contact_phone": "13907711234",
            "statement": "该项目已竣工验收，合同金额3200万元，申请提升数据等级", "commitment": True}


def work(user: Any, case_id: int, data: dict[str, Any], expect: str | None = None) -> Any:
    """Claim the caller's task of the case (unless it is his already: a consecutive step of the same reviewer
    stays with him) and submit the form; returns the response."""
    task = user.task_for(case_id, view="mine") or user.task_for(case_id)
    assert task is not None, f"{user.username} has no task in case {case_id}"
    if expect:
        assert task["title"] == expect
    if task["assignee"] is None:
        assert user.claim(task["id"]).status_code == 200
    return user.complete(task["id"], data)


def record_data(**overrides: Any) -> dict[str, Any]:
    """A filled-in 企业业绩实地核查记录表."""
    items = ("bid_award", "contract", "permit", "completion", "key_personnel", "site")
    data = {
        "verification_date": (utcnow() + timedelta(hours=8)).date().isoformat(),
        "verification_location": "南宁市青秀区民族大道项目现场",
        "verifiers": [{"name": "李明", "organisation": "南宁市住房和城乡建设局"},
                      {"name": "周红", "organisation": "南宁市建筑市场服务中心"}],
        "enterprise_attendees": "陆伟（项目经理）",
        "findings": {item: {"result": "consistent"} for item in items},
        "conclusion": "consistent",
        "conclusion_note": "现场核查，申报业绩与实际一致",
    }
    data.update(overrides)
    return data


def start_case(ent: Any, procedure: str, code: str) -> dict[str, Any]:
    response = ent.start(procedure, start_data(project_id(ent, code)))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


# -- paths ---------------------------------------------------------------------------------------------------------
def test_province_self_verification_and_confirmation_makes_the_project_a(as_user: Any, app: Flask) -> None:
    ent, province, city = as_user("ent-nanning"), as_user("province"), as_user("city-nanning")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    pid = case["data"]["project_id"]
    assert case["number"].startswith("SJBA-") and case["region_code"] == "450100"
    assert case["title"] == "数据等级B级提升为A级：南宁市民服务中心工程"
    assert ent.tasks("claimable") == [] and city.task_for(case["id"]) is None
    assert work(province, case["id"], {"verification_mode": "self"}, "受理并确定核查方式").status_code == 200
    assert province.task_for(case["id"], view="mine")["title"] == "自行组织实地核查"  # stays with the province reviewer
    assert work(province, case["id"], record_data()).status_code == 200
    assert level_of(app, pid) == "B" and reports(app) == []
    done = work(province, case["id"], {"decision": "approve"}, "审定是否提升为A级")
    assert done.status_code == 200, done.json
    final = ent.case(case["id"])  # the case waits for the national platform's acknowledgement
    assert final["status"] == "running" and final["current_step"] == "等待全国平台接收回执"
    assert level_of(app, pid) == "A"
    [report] = reports(app)
    assert report.kind == "national_platform.data_level_change" and report.status == "pending"
    assert report.idempotency_key == f"national-platform:data-level:{final['number']}"
    assert report.payload["project_code"] == B_PROJECT and report.payload["new_level"] == "A"
    assert report.payload["verified_by"] == "province_on_site" and report.case_id == case["id"]
    with app.app_context():  # the demo's stand-in national platform receives it
        assert dispatch_outbox() == 1
    acknowledged = ent.case(case["id"])
    assert acknowledged["status"] == "completed" and acknowledged["data"]["outcome"]["level"] == "A"
    assert acknowledged["data"]["national_report"]["reference"].startswith("national_platform-")
    assert reports(app)[0].status == "delivered"


def test_delegated_city_spot_check_then_confirmation(as_user: Any, app: Flask) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    city, other_city = as_user("city-nanning"), as_user("city-liuzhou")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    missing = work(province, case["id"], {"verification_mode": "delegate"})
    assert missing.status_code == 422
    assert missing.json["details"]["fields"]["delegation_note"] == "委托抽查时须写明抽查要求"
    task = province.tasks("mine")[0]
    delegated = province.complete(task["id"], {"verification_mode": "delegate", "delegation_note": "请核查合同与现场"})
    assert delegated.status_code == 200, delegated.json
    check = city.task_for(case["id"])
    assert check is not None and check["title"] == "受委托抽查并报送核查报告"
    assert other_city.task_for(case["id"]) is None
    assert other_city.get(f"/api/v1/tasks/{check['id']}").status_code == 404
    assert other_city.complete(check["id"], record_data()).status_code == 404
    no_report = work(city, case["id"], record_data())
    assert no_report.status_code == 422
    assert no_report.json["details"]["fields"]["record_files"] == "请上传签字盖章的抽查核查报告"
    report_file = city.upload(case["id"], filename="抽查核查报告.pdf").json["id"]
    sent = city.complete(check["id"], record_data(record_files=[report_file]))
    assert sent.status_code == 200, sent.json
    page = WebUser(app, "ent-nanning").login().html(f"/cases/{case['id']}")  # the report under its own title
    label = page.split('data-field="record_files"')[0].rsplit("<h3", 1)[1]
    assert "签字盖章的抽查核查报告" in label and "现场照片" not in label
    assert work(province, case["id"], {"decision": "approve"}, "审定是否提升为A级").status_code == 200
    assert level_of(app, case["data"]["project_id"]) == "A"
    [report] = reports(app)
    assert report.payload["verified_by"] == "city_spot_check"


def test_rejection_needs_a_reason_and_keeps_level_b(as_user: Any, app: Flask) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    work(province, case["id"], {"verification_mode": "self"})
    work(province, case["id"], record_data(conclusion="inconsistent", conclusion_note="合同金额与申报不符",
                                           findings={**record_data()["findings"],
                                                     "contract": {"result": "inconsistent", "note": "金额不符"}}))
    task = province.tasks("mine")[0]  # the next step stays with the reviewer who chose the verification
    no_reason = province.complete(task["id"], {"decision": "reject"})
    assert no_reason.status_code == 422
    assert no_reason.json["details"]["fields"]["comment"] == "不予同意时须填写理由"
    assert province.complete(task["id"], {"decision": "reject", "comment": "实地核查合同金额不符"}).status_code == 200
    final = ent.case(case["id"])
    assert final["status"] == "completed"
    assert final["data"]["outcome"]["message"] == "不予提升，项目数据等级保持B级。理由：实地核查合同金额不符"
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []
    again = ent.start("data_upgrade_b_to_a", start_data(case["data"]["project_id"]))
    assert again.status_code == 201, again.json  # a closed case does not block a new application


@pytest.mark.parametrize("mode", ["self", "delegate"])
def test_an_inconsistent_verification_cannot_be_confirmed(as_user: Any, app: Flask, mode: str) -> None:
    ent, province, city = as_user("ent-nanning"), as_user("province"), as_user("city-nanning")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    work(province, case["id"], {"verification_mode": mode, "delegation_note": "请核查合同与现场"})
    inconsistent = record_data(conclusion="inconsistent", conclusion_note="合同金额与申报不符",
                               findings={**record_data()["findings"], "contract": {"result": "inconsistent"}})
    if mode == "self":
        assert work(province, case["id"], inconsistent).status_code == 200
    else:
        report_file = city.upload(case["id"], filename="抽查核查报告.pdf").json["id"]
        assert work(city, case["id"], {**inconsistent, "record_files": [report_file]}).status_code == 200
    refused = work(province, case["id"], {"decision": "approve"}, "审定是否提升为A级")
    assert refused.status_code == 422 and refused.json["code"] == "verification_inconsistent"
    assert refused.json["message"].startswith("核查结论为“核查不属实”，不能确认提升为A级")
    assert refused.json["details"]["fields"]["decision"] == refused.json["message"]
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []
    task = province.tasks("mine")[0]
    assert province.complete(task["id"], {"decision": "reject", "comment": "核查不属实"}).status_code == 200
    final = ent.case(case["id"])
    assert final["status"] == "completed" and final["data"]["outcome"]["level"] == "B"
    assert level_of(app, case["data"]["project_id"]) == "B" and reports(app) == []


def test_verification_record_rules_are_checked_by_the_server(as_user: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    work(province, case["id"], {"verification_mode": "self"})
    task = province.tasks("mine")[0]  # the next step stays with the reviewer who chose the verification
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    cases = [
        (record_data(verifiers=[{"name": "李明", "organisation": "南宁市住建局"}]), "verifiers",
         "实地核查须有两名及以上核查人员"),
        (record_data(verification_date=tomorrow), "verification_date", "核查日期不能晚于今天"),
        (record_data(verification_date="2001-01-01"), "verification_date",
         f"核查日期不能早于申请日期（{(utcnow() + timedelta(hours=8)).date().isoformat()}）"),
        (record_data(findings={**record_data()["findings"], "site": {"result": "inconsistent"}}), "conclusion",
         "存在“不一致”的核查项，核查结论不能为“核查属实”"),
    ]
    for data, field, message in cases:
        response = province.complete(task["id"], data)
        assert response.status_code == 422 and response.json["details"]["fields"][field] == message
    assert province.case(case["id"])["current_step"] == "自行组织实地核查"


# -- refusals ------------------------------------------------------------------------------------------------------
def test_only_the_original_entry_unit_may_apply(as_user: Any, app: Flask) -> None:
    nanning_project = project_id(as_user("ent-nanning"), B_PROJECT)
    response = as_user("ent-liuzhou").start("data_upgrade_b_to_a", start_data(nanning_project))
    assert response.status_code == 422 and response.json["code"] == "invalid_form"
    assert response.json["details"]["fields"]["project_id"] == "只能选择本单位作为原录入单位的项目"
    refused = as_user("province").start("data_upgrade_b_to_a", start_data(nanning_project))
    assert refused.status_code == 403 and refused.json["code"] == "start_not_allowed"
    assert case_count(app) == 0


def test_only_a_level_b_project_may_apply(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    response = ent.start("data_upgrade_b_to_a", start_data(project_id(ent, C_PROJECT)))
    assert response.status_code == 422 and response.json["code"] == "project_level_not_b"
    assert response.json["message"] == "该项目当前为C级数据，B级提升A级只适用于B级项目；请申请“数据等级C级提升为A级”"
    assert case_count(app) == 0


def test_no_second_open_upgrade_case_for_the_same_project(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    first = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    second = ent.start("data_upgrade_b_to_a", start_data(first["data"]["project_id"]))
    assert second.status_code == 422 and second.json["code"] == "upgrade_case_open"
    assert second.json["message"] == f"该项目已有办理中的数据等级提升申请（{first['number']}），不能重复申请"
    assert case_count(app) == 1
    assert ent.post(f"/api/v1/cases/{first['id']}/withdraw", {"reason": "材料准备不全"}).status_code == 200
    assert ent.start("data_upgrade_b_to_a", start_data(first["data"]["project_id"])).status_code == 201


def test_other_regions_and_enterprises_do_not_see_the_case(as_user: Any) -> None:
    case = start_case(as_user("ent-nanning"), "data_upgrade_b_to_a", B_PROJECT)
    for outsider in ("ent-liuzhou", "city-liuzhou"):
        response = as_user(outsider).get(f"/api/v1/cases/{case['id']}")
        assert response.status_code == 404 and response.json["code"] == "case_not_found"
    assert as_user("city-nanning").get(f"/api/v1/cases/{case['id']}").status_code == 200
    liuzhou_case = start_case(as_user("ent-liuzhou"), "data_upgrade_b_to_a", LIUZHOU_B_PROJECT)
    assert liuzhou_case["region_code"] == "450200"
    assert as_user("city-nanning").get(f"/api/v1/cases/{liuzhou_case['id']}").status_code == 404


@pytest.mark.committing  # two threads on two apps, two connections racing
def test_two_simultaneous_applications_for_one_project_open_one_case(
        make_app: Callable[[], Flask], as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    data = start_data(project_id(ent, B_PROJECT))
    barrier = threading.Barrier(2, timeout=30)
    answers: list[Any] = []
    clients = [make_app().test_client() for _ in range(2)]  # two worker processes' worth of state

    def apply(client: Any) -> None:
        try:
            barrier.wait()
            response = client.post("/api/v1/cases", json={"procedure": "data_upgrade_b_to_a", "data": data},
                                   headers=ent.headers)
            answers.append((response.status_code, response.json.get("code")))
        except Exception as exc:  # reported in the assertion below
            answers.append((0, repr(exc)))

    threads = [threading.Thread(target=apply, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers, key=str) == [(201, None), (422, "upgrade_case_open")]
    assert case_count(app) == 1
