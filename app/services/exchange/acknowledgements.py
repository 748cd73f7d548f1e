"""A delivered message whose case waits for its acknowledgement: the case's catch event for the message
`delivered:<kind>` (e.g. `delivered:national_platform.data_level_change`) receives it, in the transaction
that records the delivery, so a case never misses an acknowledgement nor gets one twice (bpmn/README.md
tells an analyst how a diagram waits for one).

A case that completes with the acknowledgement (an approved B→A upgrade, reported to the national platform) was told
at its approval as a decision (【审核决定】 with the 审核决定书, notifications_applicant.DECIDED): not as 办结, since it
was not complete yet. When the acknowledgement completes it, the applicant is told 【办结】 on every channel he is
told the decision on, and gets the 办结通知, both for the task that decided (the one that issued the 审核决定书), as
an authority's task tells its applicant (tasks/work.py), in the acknowledgement's transaction."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from app.db import utcnow
from app.extensions import db
from app.integrations.exchange import Acknowledgement
from app.models import OPEN_STATUSES, Case, CaseDocument, CaseStatus, Task, User
from app.services import notifications_applicant, steps
from app.services.documents import issue
from app.services.exchange.delivery import Claim, record_delivered
from app.services.procedures import forms

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
    stepped = steps.advance(case, None, steps.ReceiveMessage(name, {
        "reference": ack.reference, "duplicate": ack.duplicate, "message_id": claim.id,
        "idempotency_key": claim.message.idempotency_key, "delivered_at": utcnow().isoformat()}))
    if case.status == CaseStatus.COMPLETED:
        _tell_completed(case, stepped)
    return True


# The task that decided the case before it waited: the one whose step issued its (last) 审核决定书.
_DECIDING_TASK = (select(CaseDocument.task_id).where(CaseDocument.case_id == bindparam("case"),
                                                     CaseDocument.kind == issue.DECISION)
                  .order_by(CaseDocument.id.desc()).limit(1))


def _tell_completed(case: Case, stepped: steps.StepOutcome) -> None:
    """The applicant of a case decided earlier and completed now (by the acknowledgement) is told 办结, with its
    办结通知, as the deciding task would have told him had the case completed with it. A case with no 审核决定书
    was not told a decision in waiting (it was told 办结 at its decision, or nothing): nothing more is said."""
    task_id = db.session.scalar(_DECIDING_TASK, {"case": case.id})
    task = db.session.get(Task, task_id) if task_id is not None else None
    decider = db.session.get(User, task.completed_by_id) if task is not None and task.completed_by_id else None
    if task is None or decider is None:
        return
    form = forms.form_schema(case.procedure_version_id, task.form_key)
    outcome = notifications_applicant.classify(case, task, form, dict(case.data or {}), stepped.open_tasks,
                                               stepped.calendar)
    if outcome is None or outcome.kind != notifications_applicant.DONE:
        return
    notifications_applicant.after_authority_step(case, task, outcome)
    issue.issue_for_decision(case, task, decider, outcome)
