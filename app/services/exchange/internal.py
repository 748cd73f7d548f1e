"""Messages whose receiver is the app itself (target `internal`): delivered in the transaction that
records them delivered, so their effect happens exactly once."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.errors import Message
from app.extensions import db
from app.integrations.exchange import Acknowledgement
from app.models import Organisation
from app.services.exchange.delivery import Claim, record_delivered
from app.services.notifications import Note, notify, users_of_organisation


def former_employer_message(person_name: str, case_number: str) -> Message:
    """What the former employer is told: the Chinese text travels in the message (`message`); the notice is
    rebuilt from the same template and values so the pages show it in the reader's language."""
    return Message("经主管部门审核，{person}已从贵单位注销（{number}）", person=person_name, number=case_number)


def _former_employer_notice(claim: Claim, payload: dict[str, Any]) -> str:
    """notify.former_employer: an in-app notice to the former employer's operators. It links to no case: the
    application was the individual's (or his new employer's), which the former employer may not open."""
    enterprise = db.session.get(Organisation, payload["enterprise_id"])
    users = users_of_organisation(enterprise.id) if enterprise else []
    title = Message("人员注销通知（{number}）", number=payload["case_number"])  # the pages read it in their language
    body = former_employer_message(payload["person_name"], payload["case_number"])
    notify(users, Note("former_employer_deregistered", title, body, key=f"outbox-{claim.id}"))
    return f"internal-{len(users)}-notified"


DELIVERERS: dict[str, Callable[[Claim, dict[str, Any]], str]] = {
    "notify.former_employer": _former_employer_notice,
}


def deliver_internal(claim: Claim) -> bool:
    """Apply an internal message and mark it delivered (the caller's one transaction); a kind without a
    deliverer (a test procedure's) is only marked."""
    deliverer = DELIVERERS.get(claim.message.kind)
    reference = deliverer(claim, claim.message.payload) if deliverer else "internal"
    return record_delivered(claim, Acknowledgement(reference))
