"""Fields internal to the authorities ("x-internal": true) through the API: the province's brief to the city it
delegates a B → A spot check to, its reasons for returning a C → A record to the city and the city's remark on
posting the original reach the authorities only; the enterprise's case (its data, its history's submissions, the
case list) never holds them, while what it must be told (a refusal's reason) it still reads."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask

from tests.procedures.test_data_upgrade_b_to_a import B_PROJECT, record_data, start_case, work
from tests.procedures.test_data_upgrade_c_to_a import approved_by_city, dispatch, receipt

BRIEF = "请重点核查施工合同金额与现场实体规模（内部委托要求）"
RETURNED = "核查记录缺少现场照片，请补拍后重新寄送（退回市级意见）"
POSTED = "原件已加急寄出，请处室李科长签收（寄送备注）"
REFUSED = "原件项目经理签字缺失"


def _everything(case: dict[str, Any]) -> str:
    """The whole answer as text: the data, the history's payloads, every field."""
    return json.dumps(case, ensure_ascii=False)


def delegated(as_user: Any) -> dict[str, Any]:
    """A B → A case the province delegated to the Nanning city with a brief."""
    case = start_case(as_user("ent-nanning"), "data_upgrade_b_to_a", B_PROJECT)
    answer = work(as_user("province"), case["id"], {"verification_mode": "delegate", "delegation_note": BRIEF})
    assert answer.status_code == 200, answer.json
    return case


def returned_to_city(as_user: Any) -> dict[str, Any]:
    """A C → A case whose record the province sent back to the city, with its reasons (the original posted with
    a remark)."""
    city, province = as_user("city-nanning"), as_user("province")
    case = approved_by_city(as_user)
    assert work(city, case["id"], record_data(), "填写企业业绩实地核查记录表").status_code == 200
    assert work(city, case["id"], {**dispatch(), "dispatch_note": POSTED}, "寄送盖章原件").status_code == 200
    answer = work(province, case["id"], {**receipt(), "decision": "return", "return_note": RETURNED})
    assert answer.status_code == 200, answer.json
    return case


def test_the_enterprise_never_reads_the_provinces_delegation_brief(as_user: Any, app: Flask) -> None:
    case = delegated(as_user)
    ent = as_user("ent-nanning")
    mine = ent.case(case["id"])
    assert "delegation_note" not in mine["data"] and BRIEF not in _everything(mine)
    submitted = [e for e in mine["history"] if e["kind"] == "task_completed"]
    assert submitted and all("delegation_note" not in (e["payload"].get("data") or {}) and
                             "delegation_note" not in (e["payload"].get("changes") or {}) for e in submitted)
    assert mine["data"]["verification_mode"] == "delegate"  # how it is checked is no secret
    listed = ent.get("/api/v1/cases?per_page=100").json["items"]
    assert BRIEF not in _everything([c for c in listed if c["id"] == case["id"]])
    for authority in ("province", "city-nanning"):  # the delegating province and the delegated city read it
        theirs = as_user(authority).case(case["id"])
        assert theirs["data"]["delegation_note"] == BRIEF
        assert any((e["payload"].get("data") or {}).get("delegation_note") == BRIEF for e in theirs["history"])
    task = as_user("city-nanning").task_for(case["id"])
    assert task is not None and as_user("city-nanning").get(f"/api/v1/tasks/{task['id']}").json["data"][
        "delegation_note"] == BRIEF


def test_the_enterprise_never_reads_the_provinces_return_to_the_city(as_user: Any, app: Flask) -> None:
    case = returned_to_city(as_user)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    mine = ent.case(case["id"])
    assert RETURNED not in _everything(mine) and POSTED not in _everything(mine)
    assert "return_note" not in mine["data"] and "dispatch_note" not in mine["data"]
    assert any((e["payload"].get("data") or {}).get("decision") == "return" for e in mine["history"])
    theirs = city.case(case["id"])
    assert theirs["data"]["return_note"] == RETURNED and theirs["data"]["dispatch_note"] == POSTED
    task = city.task_for(case["id"])
    assert task is not None and city.get(f"/api/v1/tasks/{task['id']}").json["data"]["return_note"] == RETURNED


def test_a_return_needs_its_reasons_for_the_city_and_a_refusal_its_reason_for_the_enterprise(
        as_user: Any, app: Flask) -> None:
    city, province, ent = as_user("city-nanning"), as_user("province"), as_user("ent-nanning")
    case = approved_by_city(as_user)
    assert work(city, case["id"], record_data(), "填写企业业绩实地核查记录表").status_code == 200
    assert work(city, case["id"], dispatch(), "寄送盖章原件").status_code == 200
    task = province.task_for(case["id"])
    assert task is not None and province.claim(task["id"]).status_code == 200
    no_reasons = province.complete(task["id"], {**receipt(), "decision": "return"})
    assert no_reasons.status_code == 422
    assert no_reasons.json["details"]["fields"] == {"return_note": "退回市级时须写明退回意见"}
    no_reason = province.complete(task["id"], {**receipt(), "decision": "reject"})
    assert no_reason.json["details"]["fields"] == {"comment": "不予提升时须填写理由"}
    assert province.complete(task["id"], {**receipt(), "decision": "reject", "comment": REFUSED}).status_code == 200
    mine = ent.case(case["id"])  # the refusal's reason is the enterprise's to read
    assert mine["data"]["comment"] == REFUSED and REFUSED in mine["data"]["outcome"]["message"]
