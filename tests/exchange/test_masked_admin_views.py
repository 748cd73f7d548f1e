"""The admin's views of the exchange (数据交换 page, GET /api/v1/exchange/messages and /inbound) show ID numbers and
phones masked, as every other page and answer does: in an outgoing message's payload (the approval system's
project personnel after an unlock), in the error another system answered with, and in the key of a received
message about a person; the message as stored (and sent) stays complete."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.models import OutboxMessage, Person, ProjectLock
from tests.exchange.conftest import messages, queue
from tests.exchange.test_delivery import dispatch
from tests.exchange.test_inbound import LOCKED, change, envelope, send
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser

REFUSAL = "人员 450102198503150018（联系电话13907715678）与登记信息不一致"
MASKED = "人员 4501**********0018（联系电话139****5678）与登记信息不一致"


def _unlock_approved(app: Flask, as_user: Any) -> str:
    """ent-nanning's 陆伟 unlocked by the city (a project_personnel message queued); 陆伟's ID number."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with app.app_context():
        lock_id, id_number = db.session.execute(
            select(ProjectLock.id, Person.id_number).join(Person, Person.id == ProjectLock.person_id)
            .where(Person.name == "陆伟", ProjectLock.active.is_(True))).one()
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {"kind": "duty_change", "lock_ids": [lock_id], "reason": "项目经理履职变更",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")]})
    act_ok(city, case_id, {"decision": "approve"})
    return str(id_number)


def test_the_project_personnel_message_is_shown_with_masked_id_numbers(app: Flask, as_user: Any) -> None:
    id_number = _unlock_approved(app, as_user)
    answer = as_user("admin").get("/api/v1/exchange/messages?target=approval_system")
    assert answer.status_code == 200, answer.json
    [message] = [m for m in answer.json["items"] if m["kind"] == "approval_system.project_personnel"]
    assert id_number not in json.dumps(answer.json, ensure_ascii=False)
    shown = {p["name"]: p["id_number"] for p in message["payload"]["personnel"]}
    assert shown["陆伟"] == id_number[:4] + "*" * 10 + id_number[-4:]
    [stored] = [m for m in messages(app) if m.id == message["id"]]  # what is sent stays whole
    assert id_number in {p["id_number"] for p in stored.payload["personnel"]}


def test_the_receiver_s_error_is_shown_masked(exchange_app: Flask, national: ExchangeStandIn, as_user: Any) -> None:
    queue(exchange_app, 1)
    refusal = json.dumps({"error": REFUSAL}, ensure_ascii=False).encode()
    national.receive = lambda key, body: (422, refusal)  # type: ignore[method-assign]  # the receiver echoes the data
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "dead" and REFUSAL in (row.last_error or "")  # stored as answered (the log masks it)

    page = WebUser(exchange_app, "admin").login().html("/admin/exchange?status=dead")
    assert f'data-message="{row.id}"' in page
    assert "450102198503150018" not in page and "13907715678" not in page
    assert MASKED in page
    answer = as_user("admin").get("/api/v1/exchange/messages?status=dead").json
    [item] = [m for m in answer["items"] if m["id"] == row.id]
    assert item["last_error"].startswith("全国建筑市场监管公共服务平台（全国平台）回答 HTTP 422：")
    assert MASKED in item["last_error"] and "450102198503150018" not in item["last_error"]
    with exchange_app.app_context():
        assert REFUSAL in (db.session.scalar(select(OutboxMessage.last_error).where(OutboxMessage.id == row.id)) or "")


def test_a_received_message_about_a_person_is_listed_with_his_id_number_masked(inbound_app: Flask, client: Any,
                                                                              as_user: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", change(LOCKED)))
    assert answer.status_code == 200, answer.json
    listed = as_user("admin").get("/api/v1/exchange/inbound?system=approval_system").json
    [item] = [m for m in listed["items"] if m["id"] == answer.json["id"]]
    assert LOCKED not in json.dumps(listed, ensure_ascii=False)
    assert item["entity_key"] == f"person:{LOCKED[:4]}{'*' * 10}{LOCKED[-4:]}"
