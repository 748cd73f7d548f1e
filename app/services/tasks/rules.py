"""Rules an analyst sets on a user task as properties, without Python (bpmn/README.md, "User tasks"):

- `notSameAs` = the bpmn id of an earlier step: who completed it may not claim, be assigned or complete this
  one (four-eyes; refused with code `four_eyes`);
- `sameAs` = the bpmn id of an earlier step: who completed it gets this one assigned when it is created
  (no re-claiming for consecutive steps of one reviewer), if they may still work on it;
- `notifyApplicant` = true: the applicant organisation's users are notified when the task is created;
- by default an authority task that follows the same reviewer's step of the same role stays with him
  (`sameReviewer` = false leaves it open to claim; `sameAs` and `notSameAs` take precedence).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, RuleViolation
from app.extensions import db
from app.models import Actor, Case, Task, TaskStatus, User
from app.policy import is_candidate
from app.services import notifications
from app.services.cases import history
from app.services.procedures.versions import manifest_of

TRUE = {"true", "yes", "1", "是"}
FALSE = {"false", "no", "0", "否"}


def _step_title(case: Case, bpmn_id: str) -> str:
    task = (manifest_of(case.procedure_version_id).get("tasks") or {}).get(bpmn_id) or {}
    return str(task.get("title") or bpmn_id)


def completer_of(case_id: int, bpmn_id: str) -> int | None:
    """Who completed the step `bpmn_id` of the case last."""
    return db.session.scalar(select(Task.completed_by_id).where(
        Task.case_id == case_id, Task.bpmn_id == bpmn_id, Task.status == TaskStatus.COMPLETED,
        Task.completed_by_id.is_not(None)).order_by(Task.completed_at.desc()).limit(1))


def four_eyes_excluded(task: Task) -> int | None:
    """The user the task's `notSameAs` rule keeps from it: who completed that earlier step (None: no one)."""
    earlier = str((task.properties or {}).get("notSameAs") or "").strip()
    return completer_of(task.case_id, earlier) if earlier else None


def require_four_eyes(user_id: int, task: Task) -> None:
    """Refuse the completer of the task's `notSameAs` step (claiming, being assigned or completing it)."""
    if four_eyes_excluded(task) == user_id:
        earlier = str((task.properties or {}).get("notSameAs") or "").strip()
        title = _step_title(task.case, earlier)
        raise RuleViolation(Message("按“四眼原则”，办理过“{other}”的人员不能办理“{title}”，请由其他人员办理",
                                    other=Message(title), title=Message(task.title)),
                            code="four_eyes", details={"step": earlier})


def assign_same_as(case: Case, row: Task, rows: Iterable[Task], actor: Actor | None) -> None:
    """Give a new task whose `sameAs` names an earlier step to that step's last completer (when they may
    still work on it); `rows` are the task rows at hand (the step's completion among them); an earlier step
    completed in an earlier step of the case is read from the database."""
    earlier = str((row.properties or {}).get("sameAs") or "").strip()
    if not earlier or row.assignee_id is not None:
        return
    done = [t for t in rows if t.bpmn_id == earlier and t.status == TaskStatus.COMPLETED and t.completed_by_id]
    completer = (max(done, key=lambda t: t.completed_at or t.created_at).completed_by_id if done else
                 db.session.scalar(select(Task.completed_by_id).where(
                     Task.case_id == case.id, Task.bpmn_id == earlier, Task.status == TaskStatus.COMPLETED,
                     Task.completed_by_id.is_not(None)).order_by(Task.completed_at.desc()).limit(1)))
    if completer is None:
        return
    user = db.session.get(User, completer)
    if user is None or not user.active or not is_candidate(user, row):
        return
    row.assignee_id, row.claimed_at = user.id, utcnow()
    history.record(case, "task_assigned", actor, task_id=row.id, step=row.title,
                   payload={"assignee": user.username, "rule": "sameAs", "same_as": earlier})


def continue_with_reviewer(case: Case, row: Task, rows: Iterable[Task], actor: Actor | None) -> None:
    """An authority task that follows, in the same step, the actor's completion of a task of the same role in
    the case goes to the same reviewer (no re-claiming of each consecutive step), when he may work on it;
    unless the diagram says otherwise: `sameAs` / `notSameAs` decide, `sameReviewer` = false leaves it open."""
    props = row.properties or {}
    if row.assignee_id is not None or actor is None or row.scope == "applicant":
        return
    if "sameAs" in props or "notSameAs" in props or str(props.get("sameReviewer", "")).strip().lower() in FALSE:
        return
    if not any(t.status == TaskStatus.COMPLETED and t.completed_by_id == actor.id and t.role == row.role
               and t.scope != "applicant" for t in rows):
        return
    if not is_candidate(actor, row):
        return
    row.assignee_id, row.claimed_at = actor.id, utcnow()
    history.record(case, "task_assigned", actor, task_id=row.id, step=row.title,
                   payload={"assignee": actor.username, "rule": "sameReviewer"})


def notify_applicant(case: Case, rows: Iterable[Task]) -> None:
    """Tell the applicant organisation's users of each new task marked `notifyApplicant`."""
    marked = [r for r in rows if str((r.properties or {}).get("notifyApplicant", "")).strip().lower() in TRUE]
    if not marked:
        return
    users = notifications.users_of_organisation(case.applicant_org_id, case.procedure_key)
    for row in marked:
        notifications.notify(users, notifications.Note(  # messages: the pages read them in their language
            "applicant_step", Message("{number} 已到“{step}”", number=case.number, step=row.title),
            Message("您的办件“{title}”已进入“{step}”步骤。", title=case.title, step=row.title),
            case.id, row.id, row.id))
