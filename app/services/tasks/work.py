"""Working on a human task: read it with its form, claim, unclaim, assign, complete with form data."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, bindparam, delete, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.db import attempt, dry_run, explain_conflict, utcnow
from app.errors import DomainError, InvalidForm, NotAllowed, StaleCase, TaskAlreadyClaimed, TaskNotOpen
from app.extensions import db
from app.models import Actor, Case, Task, TaskDraft, TaskStatus, User, UserRole
from app.policy import (
    granted,
    is_candidate,
    require_can_assign,
    require_can_unclaim,
    require_procedure_right,
    require_task_visible,
)
from app.services import notifications_applicant, steps
from app.services.cases import history
from app.services.deadlines import calendar
from app.services.documents import issue
from app.services.procedures import forms
from app.services.procedures.registry import HandlerContext, get_validator
from app.services.tasks.rules import four_eyes_excluded, require_four_eyes


def assignable_users(actor: Actor, task_id: str) -> list[User]:
    """The users a lead may assign the open task to: the active candidates of its role and jurisdiction, but
    not the one its four-eyes rule keeps from it (assign_task refuses exactly these)."""
    task = get_task(actor, task_id)
    require_can_assign(actor, task)
    _require_open(task)
    excluded = four_eyes_excluded(task)
    users = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == task.role, User.active.is_(True)).order_by(User.display_name))
    return [u for u in users if u.id != excluded and is_candidate(u, task)]


# A task with its case: what every task request needs (the case's applicant organisation is not joined in);
# to complete it, also the case's workflow state and clock. Built once: a load with loader options built per
# request (Session.get) cost half as much CPU again as running it.
_TASK_WITH_CASE = (joinedload(Task.case).lazyload(Case.applicant),)
_TASK = select(Task).options(*_TASK_WITH_CASE).where(Task.id == bindparam("task_id"))
# To complete it: the task and the other open tasks of its case (the step closes or keeps them: it does not
# read them again), each with the case joined (one identity, the same columns on each row: a case rarely has
# more than one or two open tasks), in one statement. Also the working-day calendar's signature, which most
# steps need (deadlines): the step does not read it on its own.
_THE_TASK = aliased(Task)
_TO_COMPLETE = (
    select(Task, *calendar.SIGNATURE_COLUMNS)
    .options(*_TASK_WITH_CASE, *steps.step_loading(Task.case))
    .where(Task.case_id == select(_THE_TASK.case_id).where(_THE_TASK.id == bindparam("task_id")).scalar_subquery(),
           or_(Task.status == TaskStatus.OPEN, Task.id == bindparam("task_id"))))


_DELETE_DRAFTS = (delete(TaskDraft).where(TaskDraft.task_id == bindparam("task_id"))
                  .execution_options(synchronize_session=False))  # no draft is loaded by a completion


def get_task(actor: Actor, task_id: str, statement: Select[Task] = _TASK) -> Task:
    return require_task_visible(actor, db.session.scalar(statement, {"task_id": task_id}))


def completed_by(actor: Actor, task: Task) -> bool:
    """Whether this user completed the task: a form sent again (a second click on 提交 while the first was on
    its way) finds it done by the sender, which is not a conflict with someone else."""
    return task.status == TaskStatus.COMPLETED and task.completed_by_id == actor.id


def _submitted_already() -> TaskNotOpen:
    return TaskNotOpen("该任务已由您提交，无需重复提交")


def _submitted_by_then(actor_id: int, task_id: str) -> Callable[[], DomainError | None]:
    """After a completion lost a conflict and was rolled back: whether the task turned out completed by the same
    user (his other submission won), read afresh."""
    def explain() -> DomainError | None:
        done_by = db.session.execute(select(Task.status, Task.completed_by_id).where(Task.id == task_id)).first()
        submitted_by_him = done_by is not None and tuple(done_by) == (TaskStatus.COMPLETED, actor_id)
        return _submitted_already() if submitted_by_him else None
    return explain


def task_form(actor: Actor, task: Task) -> dict[str, Any]:
    """The task's JSON Schema with choices rendered for this user."""
    schema = forms.form_schema(task.case.procedure_version_id, task.form_key)
    return forms.render_schema(schema, actor, task.case)


def _hand_over(task: Task, holder: Actor | None) -> None:
    """Change who holds an open task as part of the case's optimistic lock: the case's version is bumped
    with it (one UPDATE ... WHERE lock_version = the version read), so of a claim, an assignment and a
    completion of the same case at the same moment one wins and the others lose with 409."""
    now = utcnow()
    task.assignee_id, task.claimed_at = (holder.id, now) if holder is not None else (None, None)
    task.case.updated_at = now
    db.session.flush()


def claim_task(actor: Actor, task_id: str) -> Task:
    task = get_task(actor, task_id)
    if not is_candidate(actor, task):
        raise NotAllowed("您不是该任务的办理人", code="not_candidate")
    require_procedure_right(actor, task.case.procedure_key)  # an operator his main operator limited
    _require_open(task)
    if task.assignee_id == actor.id:  # theirs already (a second click, a page from before): nothing changes
        return task
    if task.assignee_id is not None:
        raise TaskAlreadyClaimed()
    require_four_eyes(actor.id, task)
    history.record(task.case, "task_claimed", actor, task_id=task.id, step=task.title)  # in the claim's flush
    try:
        _hand_over(task, actor)
    except StaleDataError as exc:  # another claim, assignment or step of the case came first (maybe the
        # caller's own, from another tab or a retry: who it was is not known here)
        raise TaskAlreadyClaimed("该任务刚被领取或办理，请刷新后查看") from exc
    return task


def unclaim_task(actor: Actor, task_id: str) -> Task:
    task = get_task(actor, task_id)
    _require_open(task)
    require_can_unclaim(actor, task)
    history.record(task.case, "task_unclaimed", actor, task_id=task.id, step=task.title)
    _hand_over(task, None)
    return task


def release_tasks_held_by(actor: Actor, user: User) -> int:
    """After an account change (suspended, removed, moved to another region, other roles, an operator's narrower
    rights): the open tasks the user holds and may no longer do go back to their candidates (待领取), each
    recorded in its case's history, so that none stays with someone who cannot finish it and whom no list shows
    it under. How many."""
    held = db.session.scalars(select(Task).options(joinedload(Task.case))
                              .where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN)).all()
    to_release = [task for task in held if not (user.active and is_candidate(user, task)
                                                and granted(user, task.case.procedure_key))]
    return sum(_release_held(actor, user, task) for task in to_release)


def _release_held(actor: Actor, user: User, task: Task) -> bool:
    """One task back to its candidates, in a savepoint: a step of its case at the same moment (the user
    completing it, say) wins the case's version, and the account change still goes through: the task is read
    again and released if the user still holds it open. Whether it was released."""
    for _attempt in range(3):
        try:
            with attempt(db.session()):
                history.record(task.case, "task_unclaimed", actor, task_id=task.id, step=task.title,
                               payload={"holder": user.display_name, "reason": "account_changed"})
                _hand_over(task, None)
            return True
        except StaleDataError:
            db.session.refresh(task)  # as the step that won left it (its case is read again when next used)
            db.session.refresh(task.case)
            if task.status != TaskStatus.OPEN or task.assignee_id != user.id:
                return False
    raise StaleCase()


def assign_task(actor: Actor, task_id: str, user_id: int) -> Task:
    """A lead assigns (or reassigns) a task to a candidate of its region."""
    task = get_task(actor, task_id)
    _require_open(task)
    require_can_assign(actor, task)
    assignee = db.session.get(User, user_id)
    if assignee is None or not assignee.active or not is_candidate(assignee, task):
        raise NotAllowed("该用户不能办理此任务", code="assignee_not_candidate")
    require_four_eyes(assignee.id, task)
    history.record(task.case, "task_assigned", actor, task_id=task.id, step=task.title,
                   payload={"assignee": assignee.username, "assignee_name": assignee.display_name})
    _hand_over(task, assignee)
    return task


def _this_round(form: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """A submission is this round's whole answer: a field of the form left empty now clears what an
    earlier round of the same step wrote (a returned case's old review comment must not stand beside
    the approval that follows it, on the case page or in a script's condition)."""
    return {**dict.fromkeys(form.get("properties") or {}), **cleaned}


def _validated(actor: Actor, task: Task, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the task's form, the cleaned data), or InvalidForm with the schema's or the step validator's errors."""
    form = task_form(actor, task)
    cleaned = forms.validate(form, data, task.case, actor)
    validator_name = (task.properties or {}).get("validator")
    if validator_name:
        field_errors = get_validator(validator_name)(
            HandlerContext(case=task.case, actor=actor, data=cleaned, session=db.session()))
        if field_errors:
            raise InvalidForm(field_errors)
    return form, cleaned


def submission_errors(actor: Actor, task_id: str, data: dict[str, Any]) -> dict[str, str]:
    """What completing the task with `data` would be refused for, without completing it: a page whose
    upload was refused still tells every other error of the form at once (一次性告知)."""
    task = get_task(actor, task_id)
    try:
        with dry_run(db.session()):  # whatever a validator touches (its claims) is undone
            _validated(actor, task, data)
        return {}
    except InvalidForm as exc:
        return dict(exc.field_errors)


def complete_task(actor: Actor, task_id: str, data: dict[str, Any]) -> Task:
    """Validate the form and move the case on; an invalid submission raises InvalidForm, changes nothing."""
    rows = db.session.execute(_TO_COMPLETE, {"task_id": task_id}).all()
    found = next((row for row in rows if row[0].id == task_id), None)
    task = require_task_visible(actor, found[0] if found is not None else None)
    assert found is not None  # require_task_visible refuses a task not found
    signature = found.calendar_change, found.calendar_year
    if completed_by(actor, task):  # a client's retry after its first submission went through (a lost answer)
        raise _submitted_already()
    _require_open(task)
    # Sent twice at once (a double click, a retry before the first answer): the one that loses the case's version
    # to the other is told so, as one sent after it is, not that someone else handled the case.
    explain_conflict(_submitted_by_then(actor.id, task_id))
    open_tasks = [row[0] for row in rows]  # the case's open tasks: the statement's rows, the task (open) among them
    if task.assignee_id is not None and task.assignee_id != actor.id:
        raise TaskAlreadyClaimed("该任务已由他人领取，您不能办理")
    if not is_candidate(actor, task):  # its holder too: one moved to another region or role since the claim
        raise NotAllowed("您不是该任务的办理人", code="not_candidate")
    require_procedure_right(actor, task.case.procedure_key)
    require_four_eyes(actor.id, task)
    form, cleaned = _validated(actor, task, data)
    case = task.case
    changes = {k: {"old": (case.data or {}).get(k), "new": v} for k, v in cleaned.items()
               if (case.data or {}).get(k) != v}
    if task.assignee_id is None:  # taken now, in the step's bump of the case's version (see _hand_over)
        task.assignee_id, task.claimed_at = actor.id, utcnow()
    received_before = case.received_at is not None
    try:
        stepped = steps.advance(case, actor, steps.CompleteTask(task.id, _this_round(form, cleaned), task.title,
                                                                {"data": cleaned, "changes": changes}),
                                open_tasks, lambda: calendar.calendar_of(signature))
    except LookupError as exc:
        # The engine says "no longer ready" (someone else was first) with a plain LookupError; its
        # subclasses (a KeyError, IndexError) are failures, never reported as a finished task.
        if type(exc) is not LookupError:
            raise
        raise TaskNotOpen() from exc
    # Its 暂存 drafts are submitted: deleted on every completion, after the step wrote the task's row. Whether
    # one existed cannot be read earlier: a 暂存 sent at the same moment may commit until the step holds that
    # row (drafts.save_draft then waits for it, and finds the task done). Before the applicant is told: what
    # that adds is flushed once, with the audit seal, not first by this statement's autoflush.
    db.session.execute(_DELETE_DRAFTS, {"task_id": task.id})
    _tell_the_applicant(actor, task, form, cleaned, stepped,
                        newly_received=not received_before and case.received_at is not None)
    return task


def _tell_the_applicant(actor: Actor, task: Task, form: dict[str, Any], data: dict[str, Any],
                        stepped: steps.StepOutcome, newly_received: bool) -> None:
    """受理通知书 when the application reached an authority; for a decision the applicant's notices and the
    document that goes with it (补正告知书, 不予…决定书, 办结通知). What the step left open and its calendar
    are taken from the step, not read again."""
    case = task.case
    # Received now, or the applicant's own steps done and an authority's begun (入库信息填报: its first form
    # receives the case, its 签署 then sends it on): the 受理通知书, once (issue_acceptance checks).
    if newly_received or (task.scope == "applicant" and any(t.scope != "applicant" for t in stepped.open_tasks)):
        issue.issue_acceptance(case, stepped.open_tasks)
    outcome = notifications_applicant.classify(case, task, form, data, stepped.open_tasks, stepped.calendar)
    if outcome is not None:
        notifications_applicant.after_authority_step(case, task, outcome)
        issue.issue_for_decision(case, task, actor, outcome)


def _require_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise TaskNotOpen()

