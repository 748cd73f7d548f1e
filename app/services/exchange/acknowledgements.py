"""A delivered message whose case waits for its acknowledgement: the case's catch event for the message
`delivered:<kind>` (e.g. `delivered:national_platform.data_level_change`) receives it, in the transaction
that records the delivery, so a case never misses an acknowledgement nor gets one twice (bpmn/README.md
tells an analyst how a diagram waits for one)."""
from __future__ import annotations

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.integrations.exchange import Acknowledgement
from app.models import OPEN_STATUSES, Case
from app.services import steps
from app.services.exchange.delivery import Claim, record_delivered

ACK_PREFIX = "delivered:"


def acknowledgement_name(kind: str) -> str:
    return f"{ACK_PREFIX}{kind}"


def record_delivery(claim: Claim, ack: Acknowledgement) -> bool:
    """Mark the message delivered and pass the acknowledgement to its case when the case waits for it."""
    done = record_delivered(claim, ack)
    if done and claim.case_id is not None:
        acknowledge_to_case(claim, ack)
    return done


def acknowledge_to_case(claim: Claim, ack: Acknowledgement) -> bool:
    case = db.session.scalar(select(Case).where(Case.id == claim.case_id).options(*steps.step_loading()))
    name = acknowledgement_name(claim.message.kind)
    if case is None or case.status not in OPEN_STATUSES or not steps.waits_for_message(case, name):
        return False
    steps.advance(case, None, steps.ReceiveMessage(name, {
        "reference": ack.reference, "duplicate": ack.duplicate, "message_id": claim.id,
        "idempotency_key": claim.message.idempotency_key, "delivered_at": utcnow().isoformat()}))
    return True
