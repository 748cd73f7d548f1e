"""What the data exchange changes is in the audit log: a record changed by another system's message (with
before / after and the message it came by) and an admin's re-send of a dead letter."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.models import AuditEntry
from tests.exchange.conftest import messages, queue
from tests.exchange.test_delivery import dispatch
from tests.exchange.test_inbound import FREE, LOCKED, change, envelope, liuzhou_id, person, send
from tests.support.web import WebUser


def _entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def test_an_employer_change_from_the_approval_system_is_audited(inbound_app: Flask, client: Any) -> None:
    """QA: an approval_system certificate_change moved a person to another employer and wrote no audit entry."""
    before = person(inbound_app, FREE)
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE), message_id="cc-audit-1"),
                  ).json
    assert answer["status"] == "applied" and answer["code"] == "employer_changed"
    [changed] = _entries(inbound_app, "record.employer_changed")
    assert (changed.actor_id, changed.object_type, changed.object_id) == (None, "person", str(before.id))
    assert changed.details["system"] == "approval_system" and changed.details["message_id"] == "cc-audit-1"
    assert changed.details["before"]["employer_id"] == before.employer_id
    assert changed.details["after"]["employer_id"] == liuzhou_id(inbound_app)
    assert changed.details["after"]["employer"] == "柳州龙城建筑工程有限公司"
    [applied] = _entries(inbound_app, "exchange.applied")
    assert applied.object_id == str(answer["id"]) and applied.details["result"] == "employer_changed"
    assert FREE not in str(applied.details) and FREE not in str(changed.details)  # ID numbers masked


def test_a_refused_or_unchanged_message_writes_no_change_entry(inbound_app: Flask, client: Any) -> None:
    refused = send(client, "approval_system", envelope("certificate_change", change(LOCKED))).json
    assert refused["status"] == "rejected"
    assert send(client, "approval_system", envelope("certificate_change", change(FREE))).json["status"] == "applied"
    again = send(client, "approval_system", envelope("certificate_change", change(FREE))).json
    assert again["code"] == "unchanged"
    assert len(_entries(inbound_app, "record.employer_changed")) == 1
    assert len(_entries(inbound_app, "exchange.applied")) == 1


def test_an_admins_resend_of_a_dead_letter_is_audited(exchange_app: Flask, national: ExchangeStandIn) -> None:
    """QA: 重新发送 on /admin/exchange wrote only a log line."""
    queue(exchange_app, 1)
    national.refuse = True
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    admin = WebUser(exchange_app, "admin").login()
    assert admin.post(f"/admin/exchange/messages/{row.id}/resend").status_code == 302
    [resent] = _entries(exchange_app, "exchange.resent")
    assert (resent.actor_name, resent.object_type, resent.object_id) == ("admin", "outbox_message", str(row.id))
    assert resent.details["kind"] == row.kind and resent.details["target"] == "national_platform"
