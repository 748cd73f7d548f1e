"""Rules shared by the procedures' handlers: field refusals, a project's 属地, personnel locks, a case's submissions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from app.errors import InvalidForm, Message, RuleViolation
from app.models import CaseEvent, ProjectLock, Region, Task
from app.models.records.lock import LOCK_ROLE_TITLES, LockRole

UNLOCK_PROCEDURE = "personnel_unlock"


class FieldRefusal(InvalidForm, RuleViolation):
    """A rule of the notice refuses a form submission: a RuleViolation with a stable code whose message also
    belongs beside one field. The API answers 422 with the code, the message and details.fields; pages catch
    it as an InvalidForm and show the message beside the field, keeping what was typed."""

    def __init__(self, field_name: str, message: str, *, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__({field_name: message}, message)
        self.code = code
        self.details.update(details or {})


def region_error(session: Session, code: str) -> str | None:
    """A project's 属地 is a region code of a known city (设区市) or of a county below one."""
    return None if session.get(Region, code[:4] + "00") is not None else "未知的行政区划代码"


def blocking_lock(session: Session, person_id: int) -> ProjectLock | None:
    """The lock that binds a person to a project: active, or temporarily released and due to return."""
    return session.scalar(select(ProjectLock).where(
        ProjectLock.person_id == person_id,
        or_(ProjectLock.active.is_(True), ProjectLock.relock_at.is_not(None))).order_by(ProjectLock.id).limit(1))


def lock_title(lock: ProjectLock) -> Message:
    """What binds a person: the project and his role there (a message: the pages name the role in English)."""
    role = Message(LOCK_ROLE_TITLES.get(LockRole(lock.role), lock.role))
    return Message("「{project}」（项目编号 {code}）的{role}", project=lock.project.name, code=lock.project.code,
                   role=role)


def lock_details(lock: ProjectLock) -> dict[str, Any]:
    """Details of a locked-person refusal: where the lock is and which procedure releases it."""
    return {"procedure": UNLOCK_PROCEDURE, "project_id": lock.project_id, "project_name": lock.project.name,
            "project_code": lock.project.code, "lock_id": lock.id, "lock_role": lock.role,
            "temporarily_released": not lock.active}


@dataclass
class Review:
    """One completed review of a case and what the application held when it was made."""

    data: dict[str, Any]
    snapshot: dict[str, Any]


@dataclass
class Timeline:
    """A case's applicant submissions merged in order, and each review with its snapshot."""

    current: dict[str, Any] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)


_SUBMISSIONS = (select(Task.bpmn_id, CaseEvent.payload).join(Task, Task.id == CaseEvent.task_id)
                .where(CaseEvent.case_id == bindparam("case"), CaseEvent.kind == "task_completed")
                .order_by(CaseEvent.id))


def timeline(session: Session, case_id: int, submit_steps: set[str], review_steps: set[str]) -> Timeline:
    """Rebuild the case's submissions and reviews from its history (task_completed events)."""
    rows = session.execute(_SUBMISSIONS, {"case": case_id})
    result = Timeline()
    for bpmn_id, payload in rows:
        data = dict((payload or {}).get("data") or {})
        if bpmn_id in submit_steps:
            result.current.update(data)
        elif bpmn_id in review_steps:
            result.reviews.append(Review(data, dict(result.current)))
    return result


def changed(before: Any, after: Any) -> bool:
    """Did an item change? For uploads (lists of ids): at least one new file; otherwise: another value."""
    if isinstance(after, list):
        return bool({str(v) for v in after} - {str(v) for v in (before or [])})
    return after not in (None, "") and after != before
