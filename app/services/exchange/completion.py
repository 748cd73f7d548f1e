"""A completion acceptance (竣工验收) from the quality-and-safety supervision system: the project is marked
completed and its project manager's lock is put on the way to release through a 竣工验收解锁 case.

- An open unlock case already applies for the PM's lock: the acceptance is attached to it (advanced): its
  reviewer sees it, and the enterprise need not upload the acceptance certificate (竣工验收合格意见书).
- Otherwise a personnel_unlock case is started for the enterprise (filed under its main operator, started
  by no user: the history names the message), its application prefilled (kind 竣工验收解锁, the PM, a
  reason naming the acceptance) and the acceptance attached: the enterprise checks it, adds its stamped
  application form and submits; the city reviewer then decides. The enterprise's operators are told.
[interp] The notice has the enterprise apply online; the exchange prefills the application and replaces
the uploaded acceptance certificate with the supervision system's own record, it does not apply for it.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from app.errors import Message, RuleViolation
from app.extensions import db
from app.models import InboundMessage, LockRole, Organisation, Project, ProjectLock, User
from app.services.cases import subjects
from app.services.cases.lifecycle import start_case_for
from app.services.exchange import results as said
from app.services.notifications import Note, notify, users_of_organisation

UNLOCK_PROCEDURE = "personnel_unlock"
DUPLICATE = said.UNLOCK_ALREADY_OPEN


def _pm_lock(project_id: int) -> ProjectLock | None:
    return db.session.scalar(select(ProjectLock).where(
        ProjectLock.project_id == project_id, ProjectLock.role == LockRole.PROJECT_MANAGER,
        or_(ProjectLock.active.is_(True), ProjectLock.relock_at.is_not(None))).order_by(ProjectLock.id).limit(1))


def _filed_under(enterprise_id: int) -> User | None:
    """The enterprise's main operator (else any active operator): the case is filed under him."""
    return db.session.scalar(select(User).where(User.organisation_id == enterprise_id, User.active.is_(True))
                             .order_by(User.main_operator.desc(), User.id).limit(1))


def acceptance_record(payload: dict[str, Any], row: InboundMessage) -> dict[str, Any]:
    return {"project_code": payload["project_code"], "acceptance_number": payload["acceptance_number"],
            "accepted_on": payload["accepted_on"], "station": payload.get("station"),
            "permit_number": payload.get("permit_number"), "source": row.system, "message_id": row.message_id}


def start_or_advance(payload: dict[str, Any], row: InboundMessage) -> tuple[str, str, int | None]:
    """(code, message, case id) of what the acceptance did (the message: results.py reads it back)."""
    project = db.session.scalar(select(Project).where(Project.code == payload["project_code"]))
    if project is None:
        raise RuleViolation(Message(said.PROJECT_NOT_FOUND, project=payload["project_code"]), code="project_not_found")
    project.stage = "completed"
    lock = _pm_lock(project.id)
    if lock is None:
        return "project_completed", Message(said.COMPLETED_NOTHING_LOCKED, project=project.name), None
    record = acceptance_record(payload, row)
    other = subjects.holder(UNLOCK_PROCEDURE, [f"lock:{lock.id}"])
    if other is not None:
        other.data = {**(other.data or {}), "completion_acceptance": record}
        return "case_advanced", Message(said.ACCEPTANCE_ATTACHED, number=other.number), other.id
    operator = _filed_under(lock.enterprise_id)
    if operator is None:
        return "project_completed", Message(said.COMPLETED_NO_OPERATOR, project=project.name), None
    case = start_case_for(lock.enterprise_id, operator.id, project.region_code, UNLOCK_PROCEDURE, {
        "kind": "completion", "lock_ids": [lock.id], "completion_acceptance": record,
        "reason": f"项目已于{payload['accepted_on']}通过竣工验收（验收编号 {payload['acceptance_number']}，"
                  f"质量安全监督系统报送），申请解除项目经理{lock.person.name}的锁定"})
    subjects.claim(case, UNLOCK_PROCEDURE, [f"lock:{lock.id}"], DUPLICATE)
    enterprise = db.session.get(Organisation, lock.enterprise_id)
    # Those granted the unlock (an operator restricted to other procedures may not open the case); the messages:
    # the pages read them in their language.
    notify(users_of_organisation(lock.enterprise_id, UNLOCK_PROCEDURE), Note(
        "completion_unlock_prepared", Message("竣工验收解锁申请待提交（{number}）", number=case.number),
        Message("{project}已通过竣工验收，系统已为项目经理{person}生成竣工验收解锁申请，竣工验收合格意见书无需上传；"
                "请核对、上传加盖公章的解锁申请表后提交。", project=project.name, person=lock.person.name),
        case_id=case.id, key=case.number))
    name = enterprise.name if enterprise else ""
    return "case_started", Message(said.UNLOCK_PREPARED, enterprise=name, number=case.number), case.id
