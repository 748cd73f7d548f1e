"""commitment_entry (入库信息填报): a person added by hand, as the trading platform and a second enterprise see it.

A deregistered person re-entered by an enterprise is reported to the trading platform (in service with it), as
his deregistration was; when two enterprises enter the same person, the one that signs second is refused at
signing with the reason (422, the case still at its signature), not put in 异常 by the step that applies it.
The races of two signatures at the same moment: tests/api/test_concurrent_person_entry.py."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.exchange import schemas
from app.integrations.exchange.standin import ExchangeStandIn
from app.jobs.exchange import dispatch_outbox
from app.models import Organisation, OutboxMessage, Person
from app.services.demo import id_number
from app.services.exchange.inbound import receive
from handlers.commitment import TEXT_VERSION
from tests.exchange.conftest import point_at
from tests.procedures.steps import act, act_ok
from tests.support.web import WebUser

LIANG_HAI = id_number("45010719920105003")  # 梁海: ent-nanning's, not locked; his only certificate expired
NEW_PERSON = id_number("45010219960606123")  # known to no enterprise yet
NANNING, LIUZHOU = "广西邕城建设集团有限公司", "柳州龙城建筑工程有限公司"
SIGN = {"text_version": TEXT_VERSION, "agree": True}


def _clerk(number: str, name: str) -> dict[str, Any]:
    return {"id_number": number, "name": name, "kind": "bid_clerk", "phone": "13800003333"}


def _organisation(app: Flask, name: str) -> Organisation:
    with app.app_context():
        found = db.session.scalar(select(Organisation).where(Organisation.name == name))
        assert found is not None
        db.session.expunge(found)
        return found


def _person(app: Flask, number: str) -> Person:
    with app.app_context():
        found = db.session.scalar(select(Person).where(Person.id_number_is(number)))
        assert found is not None
        db.session.expunge(found)
        return found


def _deregister_liang_hai(app: Flask, former: Any) -> None:
    done = former.start("personnel_deregistration", {"mode": "employer", "person_id": _person(app, LIANG_HAI).id,
                                                     "leave_date": "2026-11-20"})
    assert done.status_code == 201 and done.json["status"] == "completed", done.json


def _entered(ent: Any, person: dict[str, Any]) -> int:
    """A commitment case of `ent` with the person entered, waiting for the signature."""
    started = ent.start("commitment_entry", {"sections": ["personnel"]})
    assert started.status_code == 201, started.json
    act_ok(ent, started.json["id"], {"personnel": [person]})
    return int(started.json["id"])


def _reports(app: Flask, case_id: int) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "trading_platform.personnel")))
        db.session.expunge_all()
        return rows


@pytest.fixture
def trading() -> Iterator[ExchangeStandIn]:
    server = ExchangeStandIn("trading_platform", seed=3)
    yield server
    server.stop()


def test_a_re_entered_person_is_reported_to_the_trading_platform(as_user: Any, app: Flask,
                                                                  trading: ExchangeStandIn) -> None:
    former, new_employer = as_user("ent-nanning"), as_user("ent-liuzhou")
    _deregister_liang_hai(app, former)
    case_id = _entered(new_employer, _clerk(LIANG_HAI, "梁海"))
    assert _reports(app, case_id) == []  # nothing before the signature
    act_ok(new_employer, case_id, SIGN)
    case = new_employer.case(case_id)
    assert case["status"] == "completed"
    liuzhou, liang_hai = _organisation(app, LIUZHOU), _person(app, LIANG_HAI)
    [report] = _reports(app, case_id)
    assert report.target == "trading_platform" and report.status == "pending"
    assert report.idempotency_key == f"trading-platform:personnel:{case['number']}:{liang_hai.id}"
    assert report.aggregate_key == f"enterprise:{liuzhou.id}"  # in order with the new employer's other reports
    assert schemas.problems("outbound", "trading_platform.personnel", report.schema_version, report.payload) == []
    payload = report.payload
    assert payload["credit_code"] == liuzhou.credit_code and payload["id_number"] == LIANG_HAI
    assert payload["name"] == "梁海" and payload["status"] == "in_service"
    assert [(c["kind"], c["valid_until"]) for c in payload["certificates"]] == [("eight_staff", "2025-12-31")]
    point_at(app, trading)  # delivered to the trading platform (its stand-in on 127.0.0.1)
    with app.app_context():
        dispatch_outbox()
    assert trading.effects[report.idempotency_key]["payload"]["status"] == "in_service"
    assert _reports(app, case_id)[0].status == "delivered"


def test_a_person_new_to_the_system_is_not_reported_as_re_entered(as_user: Any, app: Flask) -> None:
    """Only a re-entry changes what the platform was told (his deregistration); a new person is not re-entered."""
    ent = as_user("ent-liuzhou")
    case_id = _entered(ent, _clerk(NEW_PERSON, "韦新"))
    act_ok(ent, case_id, SIGN)
    assert ent.case(case_id)["status"] == "completed" and _reports(app, case_id) == []


def _refused_at_signing(ent: Any, case_id: int, name: str) -> None:
    refused = act(ent, case_id, SIGN)
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "person_entry_changed"
    assert refused.json["message"] == (f"填写入库信息后，{name}的情况已有变化：该人员已在其他单位入库，不能重复添加。"
                                       "本次填报不能签署，请撤回后重新填报")
    assert refused.json["message_en"] == (
        f"Since the data was entered, {name}'s situation has changed: This person is on file with another "
        "organisation and cannot be added again. This submission cannot be signed; please withdraw it and enter "
        "the data again")
    case = ent.case(case_id)  # still waiting for the signature: nothing applied, nothing broken
    assert case["status"] == "running" and case["error_message"] is None
    assert [t["title"] for t in case["open_tasks"]] == ["签署入库承诺书"]


def test_the_second_of_two_enterprises_entering_a_deregistered_person_is_refused_at_signing(
        as_user: Any, app: Flask) -> None:
    nanning, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    _deregister_liang_hai(app, nanning)
    # Both enter him while he is deregistered (each one's entries are checked then); 邕城 (hiring him back) signs first.
    second = _entered(liuzhou, _clerk(LIANG_HAI, "梁海"))
    first = _entered(nanning, _clerk(LIANG_HAI, "梁海"))
    act_ok(nanning, first, SIGN)
    assert nanning.case(first)["status"] == "completed"
    _refused_at_signing(liuzhou, second, "梁海")
    person = _person(app, LIANG_HAI)
    assert person.employer_id == _organisation(app, NANNING).id and person.status == "in_service"
    assert len(_reports(app, first)) == 1 and _reports(app, second) == []
    assert liuzhou.post(f"/api/v1/cases/{second}/withdraw", {"reason": "该人员已由其他单位入库"}).status_code == 200


def test_the_second_of_two_enterprises_entering_a_new_person_is_refused_at_signing(as_user: Any, app: Flask) -> None:
    nanning, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    second = _entered(liuzhou, _clerk(NEW_PERSON, "韦新"))
    first = _entered(nanning, _clerk(NEW_PERSON, "韦新"))
    act_ok(nanning, first, SIGN)
    _refused_at_signing(liuzhou, second, "韦新")
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).where(Person.id_number_is(NEW_PERSON))) == 1
    assert _person(app, NEW_PERSON).employer_id == _organisation(app, NANNING).id


def test_a_person_whose_certificate_arrived_after_his_entry_is_refused_at_signing(as_user: Any, app: Flask) -> None:
    """A certificate in force, brought by the national platform between the entries and the signature, makes him
    a person the enterprise may not add by hand: the signature is refused (he was bound by hand before)."""
    nanning, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    _deregister_liang_hai(app, nanning)
    case_id = _entered(liuzhou, _clerk(LIANG_HAI, "梁海"))
    message = {"message_id": "cert-liang-hai-2027", "kind": "certificate", "schema_version": 1,
               "occurred_at": "2026-12-08T07:00:00+08:00",
               "payload": {"id_number": LIANG_HAI, "number": "桂245012027000123", "kind": "registered",
                           "specialty": "建筑工程", "valid_until": "2029-12-31"}}
    with app.app_context(), unit_of_work():
        assert receive("national_platform", message, "file").message.status == "applied"
    refused = act(liuzhou, case_id, SIGN)
    assert refused.status_code == 422 and refused.json["code"] == "person_entry_changed", refused.json
    assert refused.json["message"].startswith("填写入库信息后，梁海的情况已有变化：该类人员信息由审批系统")
    assert liuzhou.case(case_id)["status"] == "running"
    assert _person(app, LIANG_HAI).status == "deregistered"


def test_the_signature_page_shows_why_it_is_refused(as_user: Any, app: Flask) -> None:
    nanning, liuzhou = as_user("ent-nanning"), as_user("ent-liuzhou")
    _deregister_liang_hai(app, nanning)
    second = _entered(liuzhou, _clerk(LIANG_HAI, "梁海"))
    act_ok(nanning, _entered(nanning, _clerk(LIANG_HAI, "梁海")), SIGN)
    task_id = liuzhou.case(second)["open_tasks"][0]["id"]
    page = WebUser(app, "ent-liuzhou").login().post(f"/tasks/{task_id}", {"text_version": TEXT_VERSION,
                                                                          "agree": "true"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422, html[:2000]
    assert ("填写入库信息后，梁海的情况已有变化：该人员已在其他单位入库，不能重复添加。"
            "本次填报不能签署，请撤回后重新填报") in html
    assert liuzhou.case(second)["status"] == "running"
