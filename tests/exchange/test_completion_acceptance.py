"""A completion acceptance (竣工验收) from the quality-and-safety supervision system starts a 竣工验收解锁
case for the project's manager: the enterprise finds it prefilled and submits it with its stamped form, without
uploading the acceptance certificate again (the form's condition asking for it gives way to the reported
acceptance: "x-unless-case"); the city reviewer sees it in the inbox and approves; the lock is released.
A second acceptance for the same project is attached to the open case instead of starting another."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMessage, ProjectLock
from tests.exchange.test_inbound import envelope, send
from tests.procedures.steps import act, act_ok, field_errors, upload

B_PROJECT = "4501002024B001"  # 南宁市民服务中心工程: 陆伟 is its locked project manager


def acceptance(number: str = "YS-2026-0088") -> dict[str, Any]:
    return envelope("completion_acceptance", {"project_code": B_PROJECT, "acceptance_number": number,
                                              "accepted_on": "2026-11-30", "station": "南宁市建设工程质量安全监督站"})


def test_a_completion_acceptance_starts_an_unlock_case_the_city_decides(inbound_app: Flask, client: Any,
                                                                        as_user: Any) -> None:
    answer = send(client, "quality_safety", acceptance())
    assert answer.status_code == 200 and answer.json["status"] == "applied", answer.json
    assert answer.json["code"] == "case_started"
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    [case] = [c for c in ent.get("/api/v1/cases?procedure=personnel_unlock").json["items"]]
    assert case["status"] == "running" and case["applicant"]["name"] == "广西邕城建设集团有限公司"
    task = ent.task_for(case["id"])
    assert task is not None and task["title"] == "填写解锁申请"
    with inbound_app.app_context():
        notified = db.session.scalar(select(Notification.title)
                                     .where(Notification.kind == "completion_unlock_prepared"))
    assert notified == f"竣工验收解锁申请待提交（{case['number']}）"

    again = send(client, "quality_safety", acceptance("YS-2026-0089"))  # a correction of the acceptance
    assert again.json["code"] == "case_advanced" and len(ent.get(
        "/api/v1/cases?procedure=personnel_unlock").json["items"]) == 1

    detail = ent.case(case["id"])
    data = detail["data"]
    assert data["kind"] == "completion" and data["completion_acceptance"]["acceptance_number"] == "YS-2026-0089"
    task = ent.task_for(case["id"])
    assert task is not None
    form = ent.get(f"/api/v1/tasks/{task['id']}").json["form"]  # what the page checks: no certificate asked
    assert all("completion_files" not in str(clause.get("then")) for clause in form.get("allOf", []))
    without_form = {k: data[k] for k in ("kind", "lock_ids", "reason")}
    assert "application_files" in field_errors(act(ent, case["id"], without_form))  # its own stamped form
    act_ok(ent, case["id"], {**without_form, "application_files": [upload(ent, case["id"], "解锁申请表.pdf")]})
    review = city.task_for(case["id"])
    assert review is not None and review["title"] == "审核解锁申请"
    reviewed = city.case(case["id"])["data"]["completion_acceptance"]
    assert reviewed["source"] == "quality_safety" and reviewed["accepted_on"] == "2026-11-30"
    act_ok(city, case["id"], {"decision": "approve"})
    assert ent.case(case["id"])["status"] == "completed"
    with inbound_app.app_context():
        lock = db.session.get(ProjectLock, data["lock_ids"][0])
        assert lock is not None and lock.active is False and lock.released_by_case_id == case["id"]
        assert lock.project.stage == "completed"
        [told] = db.session.scalars(select(OutboxMessage)
                                    .where(OutboxMessage.kind == "approval_system.project_personnel"))
        states = {p["name"]: p["lock_state"] for p in told.payload["personnel"]}
        assert states == {"陆伟": "released", "覃丽": "locked"} and told.target == "approval_system"


def test_an_acceptance_for_an_unknown_project_is_rejected(inbound_app: Flask, client: Any) -> None:
    message = envelope("completion_acceptance", {"project_code": "NOPE", "acceptance_number": "YS-1",
                                                 "accepted_on": "2026-11-30"})
    answer = send(client, "quality_safety", message)
    assert answer.json["status"] == "rejected" and answer.json["code"] == "project_not_found"


def test_an_operator_without_the_unlock_is_not_told_of_the_prepared_case(inbound_app: Flask, client: Any) -> None:
    """He read 竣工验收解锁申请待提交 with a link to a case he may not open (his rights: other procedures)."""
    from app.db import unit_of_work
    from app.models import User
    from app.services.identity.accounts import get_user_by_username
    from app.services.identity.operators import add_operator
    with inbound_app.app_context(), unit_of_work():
        add_operator(get_user_by_username("ent-nanning"), "op-history", "邕城建设·业绩经办人", "13907710198",
                     "Operator-Passw0rd!", ["historical_performance"])
    assert send(client, "quality_safety", acceptance()).json["code"] == "case_started"
    with inbound_app.app_context():
        told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                      .where(Notification.kind == "completion_unlock_prepared")))
    assert "ent-nanning" in told and "op-history" not in told
