"""The API re-sends every dead letter of one system at once, as the page's 全部重新发送 does: admins with a write
token only, audited with the messages' ids, described in the OpenAPI document."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.models import AuditEntry
from app.services.identity.accounts import get_user_by_username, issue_token
from tests.exchange.conftest import messages
from tests.exchange.test_delivery import dispatch
from tests.exchange.test_link_refused import dead_letters_of_both_systems
from tests.support.api import ApiUser

RESEND = "/api/v1/exchange/systems/national_platform/resend"


def test_an_admin_resends_every_dead_letter_of_one_system(exchange_app: Flask, national: ExchangeStandIn,
                                                          trading: ExchangeStandIn,
                                                          as_user: Callable[[str], ApiUser]) -> None:
    rows = dead_letters_of_both_systems(exchange_app, national, trading)
    admin = as_user("admin")
    assert as_user("city-nanning").post(RESEND).status_code == 403
    answer = admin.post(RESEND)
    assert answer.status_code == 200, answer.json
    assert answer.json == {"system": "national_platform", "count": 3, "message_ids": [m.id for m in rows[:3]]}
    assert [(m.target, m.status, m.attempts) for m in messages(exchange_app)] == [
        ("national_platform", "pending", 0)] * 3 + [("trading_platform", "dead", 1)]
    with exchange_app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange.resent_all"))
        assert entry.details["count"] == 3 and sorted(entry.details["message_ids"]) == [m.id for m in rows[:3]]
    national.refuse = False
    assert dispatch(exchange_app) == 3
    assert admin.post(RESEND).json == {"system": "national_platform", "count": 0, "message_ids": []}


def test_a_read_token_does_not_resend(app: Flask, client: Any) -> None:
    with app.app_context(), unit_of_work():
        token = issue_token(get_user_by_username("admin"), scopes=["read"])
    answer = client.post(RESEND, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403, answer.json


def test_an_unknown_system_is_not_found(as_user: Callable[[str], ApiUser]) -> None:
    assert as_user("admin").post("/api/v1/exchange/systems/no_such_system/resend").status_code == 404


def test_the_openapi_document_describes_it(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    paths = [p for p in spec["paths"] if p.startswith("/api/v1/exchange/systems/") and p.endswith("/resend")]
    assert paths, sorted(spec["paths"])
    operation = spec["paths"][paths[0]]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert "dead letter" in operation.get("summary", "") + operation.get("description", "")
