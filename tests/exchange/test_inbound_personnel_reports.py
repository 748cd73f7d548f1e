"""A person's employment changed by data exchange (审批系统 / 培训考试系统 certificate_change, 全国平台 person) is
reported to the trading platform as the procedures report it (`trading_platform.personnel`): a deregistration
for the employer he left, an employer change for both (deregistered from the one he left, in service with the
new one). A change that came from the trading platform itself is not echoed back to it."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.exchange import schemas
from app.integrations.exchange.standin import ExchangeStandIn
from app.jobs.exchange import dispatch_outbox
from app.models import InboundMessage, Organisation, OutboxMessage, PersonStatus
from app.services.exchange import appliers
from tests.exchange.conftest import point_at
from tests.exchange.test_inbound import FREE, LIUZHOU, change, envelope, person, send

KIND = "trading_platform.personnel"


@pytest.fixture
def trading() -> Iterator[ExchangeStandIn]:
    server = ExchangeStandIn("trading_platform", seed=5)
    yield server
    server.stop()


def _reports(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == KIND)
                                       .order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def _organisation(app: Flask, **where: Any) -> Organisation:
    with app.app_context():
        found = db.session.scalar(select(Organisation).filter_by(**where))
        assert found is not None
        db.session.expunge(found)
        return found


def _valid(report: OutboxMessage) -> bool:
    return schemas.problems("outbound", KIND, report.schema_version, report.payload) == []


def test_a_deregistration_by_exchange_is_reported_for_the_employer_he_left(
        inbound_app: Flask, client: Any, trading: ExchangeStandIn) -> None:
    nanning = _organisation(inbound_app, name="广西邕城建设集团有限公司")
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE, "deregistration")))
    assert answer.json["status"] == "applied" and answer.json["code"] == "deregistered", answer.json
    [report] = _reports(inbound_app)
    assert report.target == "trading_platform" and report.case_id is None and _valid(report)
    assert report.idempotency_key == f"trading-platform:personnel:inbound-{answer.json['id']}:{nanning.id}"
    assert report.aggregate_key == f"enterprise:{nanning.id}"
    assert report.payload["credit_code"] == nanning.credit_code and report.payload["id_number"] == FREE
    assert report.payload["status"] == "deregistered" and report.payload["name"] == "梁海"
    # The same message again changes nothing and reports nothing more.
    assert send(client, "approval_system", envelope("certificate_change", change(FREE, "deregistration"))
                ).json["code"] == "unchanged"
    assert len(_reports(inbound_app)) == 1
    point_at(inbound_app, trading)
    with inbound_app.app_context():
        dispatch_outbox()
    assert trading.effects[report.idempotency_key]["payload"]["status"] == "deregistered"


def test_an_employer_change_by_exchange_is_reported_for_both_employers(
        inbound_app: Flask, client: Any, trading: ExchangeStandIn) -> None:
    nanning = _organisation(inbound_app, name="广西邕城建设集团有限公司")
    liuzhou = _organisation(inbound_app, credit_code=LIUZHOU)
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE)))
    assert answer.json["code"] == "employer_changed", answer.json
    left, joined = _reports(inbound_app)
    assert all(_valid(r) and r.target == "trading_platform" for r in (left, joined))
    assert (left.payload["credit_code"], left.payload["status"]) == (nanning.credit_code, "deregistered")
    assert left.aggregate_key == f"enterprise:{nanning.id}"
    assert (joined.payload["credit_code"], joined.payload["status"]) == (liuzhou.credit_code, "in_service")
    assert joined.aggregate_key == f"enterprise:{liuzhou.id}"
    assert {left.payload["id_number"], joined.payload["id_number"]} == {FREE}
    point_at(inbound_app, trading)
    with inbound_app.app_context():
        dispatch_outbox()
    assert {trading.effects[r.idempotency_key]["payload"]["credit_code"] for r in (left, joined)} == {
        nanning.credit_code, liuzhou.credit_code}


def test_a_deregistered_person_employed_again_by_exchange_is_reported_for_his_new_employer_only(
        inbound_app: Flask, client: Any) -> None:
    liuzhou = _organisation(inbound_app, credit_code=LIUZHOU)
    send(client, "approval_system", envelope("certificate_change", change(FREE, "deregistration")))
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE)))
    assert answer.json["code"] == "employer_changed", answer.json
    _, joined = _reports(inbound_app)  # the employer he left was told of his deregistration already
    assert (joined.payload["credit_code"], joined.payload["status"]) == (liuzhou.credit_code, "in_service")
    assert person(inbound_app, FREE).status == PersonStatus.IN_SERVICE


def test_an_employer_change_from_the_national_platform_is_reported(inbound_app: Flask, client: Any) -> None:
    liuzhou = _organisation(inbound_app, credit_code=LIUZHOU)
    answer = send(client, "national_platform", envelope("person", {"id_number": FREE, "name": "梁海",
                                                                  "employer_credit_code": LIUZHOU}))
    assert answer.json["status"] == "applied", answer.json
    left, joined = _reports(inbound_app)
    assert left.payload["status"] == "deregistered" and joined.payload["credit_code"] == liuzhou.credit_code
    assert joined.payload["status"] == "in_service"


def test_a_change_that_came_from_the_trading_platform_is_not_echoed_back_to_it(inbound_app: Flask) -> None:
    """The trading platform sends no personnel changes today (its kinds: bid usage and award locks); were it to,
    what it told us is not reported back to it."""
    with inbound_app.app_context(), unit_of_work():
        row = InboundMessage(system="trading_platform", message_id="tp-person-1", kind="certificate_change",
                             channel="file", payload={}, status="rejected")
        db.session.add(row)
        db.session.flush()
        outcome = appliers.apply("trading_platform", "certificate_change", change(FREE, "deregistration"), row)
        assert outcome.code == "deregistered"
    assert _reports(inbound_app) == []
    assert person(inbound_app, FREE).status == PersonStatus.DEREGISTERED
