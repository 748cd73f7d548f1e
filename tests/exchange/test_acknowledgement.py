"""A BPMN step that waits for the delivery's acknowledgement: the B→A upgrade waits for the national
platform to accept the level report; a failing platform keeps it waiting (nothing is lost), a dead letter
re-sent by an admin completes it, and the acknowledgement arrives once."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.models import CaseEvent
from tests.exchange.conftest import messages, point_at
from tests.exchange.test_delivery import dispatch, later
from tests.procedures.test_data_upgrade_b_to_a import B_PROJECT, record_data, start_case, work


def upgraded_case(as_user: Any) -> tuple[Any, int]:
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    assert work(province, case["id"], {"verification_mode": "self"}).status_code == 200
    assert work(province, case["id"], record_data()).status_code == 200
    assert work(province, case["id"], {"decision": "approve"}).status_code == 200
    return ent, case["id"]


def test_the_upgrade_waits_for_the_national_platform_through_failures_and_a_resend(
        app: Flask, national: ExchangeStandIn, as_user: Any) -> None:
    point_at(app, national, EXCHANGE_MAX_ATTEMPTS=2)
    ent, case_id = upgraded_case(as_user)
    national.fail_share = 1.0
    dispatch(app)
    with later(10):
        dispatch(app)
    [report] = messages(app)
    assert report.status == "dead"
    waiting = ent.case(case_id)
    assert waiting["status"] == "running" and waiting["current_step"] == "等待全国平台接收回执"
    assert as_user("admin").post(f"/api/v1/exchange/messages/{report.id}/resend").status_code == 200
    national.fail_share = 0.0
    assert dispatch(app) == 1
    done = ent.case(case_id)
    assert done["status"] == "completed"
    assert done["data"]["national_report"]["reference"] == national.effects[report.idempotency_key]["reference"]
    with app.app_context():
        received = list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id,
                                                                        CaseEvent.kind == "message_received")))
    assert received == ["message_received"]
    assert dispatch(app) == 0 and national.effect_count == 1
