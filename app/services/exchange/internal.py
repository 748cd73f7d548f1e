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


def _former_employer_notice(claim: Claim, payload: dict[str, Any]) -> str:
    """notify.former_employer: an in-app notice to the former employer's operators."""
    enterprise = db.session.get(Organisation, payload["enterprise_id"])
    users = users_of_organisation(enterprise.id) if enterprise else []
    title = Message("人员注销通知（{number}）", number=payload["case_number"])  # the pages read it in their language
    notify(users, Note("former_employer_deregistered", title, payload["message"], case_id=claim.case_id,
                       key=f"outbox-{claim.id}"))
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
