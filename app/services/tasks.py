"""Human tasks: lists (mine / claimable / done), claim, unclaim, assign, complete with form data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.db import LIKE_ESCAPE, contains_pattern, table_of, utcnow
from app.errors import InvalidForm, NotAllowed, TaskAlreadyClaimed, TaskNotOpen
from app.extensions import db
from app.models import PROVINCE_CODE, Case, Organisation, Region, Task, TaskStatus, User, UserRole
from app.policy import (
    claimable_tasks,
    is_candidate,
    region_covers,
    require_can_assign,
    require_task_visible,
)
from app.services import forms, history, steps
from app.services.deadlines import LOCAL_TZ
from app.services.handler_registry import HandlerContext, get_validator

VIEWS = ("mine", "claimable", "done")


SORTS = ("due", "-due", "received", "-received")


@dataclass(frozen=True)
class TaskFilter:
    view: str = "mine"
    procedure: str | None = None
    page: int = 1
    per_page: int = 20
    # Optional inbox filters (pages): the case's region (a city covers its counties), the deadline
    # state, the day the task was received (local dates, inclusive), a search term and the order.
    region: str | None = None
    deadline_state: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    search: str | None = None
    sort: str | None = None


def _view_query(actor: User, view: str) -> Select[Task]:
    if view == "claimable":
        return select(Task).where(claimable_tasks(actor))
    if view == "done":
        return select(Task).where(Task.completed_by_id == actor.id, Task.status == TaskStatus.COMPLETED)
    return select(Task).where(Task.assignee_id == actor.id, Task.status == TaskStatus.OPEN)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _search_clause(term: str) -> Any:
    """Case number, case title (names the persons), applicant name or credit code, or a person's name."""
    like = contains_pattern(term)
    people = select(User.id).where(User.display_name.ilike(like, escape=LIKE_ESCAPE))
    return or_(*(column.ilike(like, escape=LIKE_ESCAPE) for column in
                 (Case.number, Case.title, Organisation.name, Organisation.credit_code)),
               Case.started_by_id.in_(people), Task.assignee_id.in_(people))


def _region_clause(region: str) -> Any:
    if region == PROVINCE_CODE:
        return Case.region_code.is_not(None)
    if region.endswith("00"):
        return Case.region_code.like(region[:4] + "%")
    return Case.region_code == region


def _filtered_query(actor: User, view: str, filters: TaskFilter) -> Select[Task]:
    query = _view_query(actor, view)
    if filters.procedure or filters.region or filters.search:
        query = query.join(Case, Task.case_id == Case.id)
    if filters.procedure:
        query = query.where(Case.procedure_key == filters.procedure)
    if filters.region:
        query = query.where(_region_clause(filters.region))
    if filters.search and filters.search.strip():
        query = query.join(Organisation, Organisation.id == Case.applicant_org_id).where(
            _search_clause(filters.search.strip()))
    if filters.deadline_state:
        query = query.where(Task.deadline_state == filters.deadline_state)
    if filters.received_from:
        query = query.where(Task.created_at >= _local_start(filters.received_from))
    if filters.received_to:
        query = query.where(Task.created_at < _local_start(filters.received_to + timedelta(days=1)))
    return query


def _order(filters: TaskFilter) -> tuple[Any, ...]:
    if filters.sort == "-due":
        return (Task.due_at.is_(None), Task.due_at.desc(), Task.created_at.desc())
    if filters.sort in ("received", "-received"):
        return (Task.created_at.desc() if filters.sort == "-received" else Task.created_at,)
    if filters.view == "done" and filters.sort is None:
        return (Task.completed_at.desc(),)
    return (Task.due_at.is_(None), Task.due_at, Task.created_at)


def list_tasks(actor: User, filters: TaskFilter) -> tuple[list[Task], int]:
    """One page of a task view, ordered by deadline (soonest first) unless asked otherwise, and its total."""
    query = _filtered_query(actor, filters.view, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # The page is chosen from `tasks` alone and its cases read by id afterwards: joined in before the
    # LIMIT, PostgreSQL may join every matching task first or fall back to scanning the table.
    rows = db.session.scalars(query.order_by(*_order(filters)).limit(filters.per_page)
                              .offset((filters.page - 1) * filters.per_page).options(selectinload(Task.case)))
    return list(rows), total


def count_views(actor: User, filters: TaskFilter | None = None) -> dict[str, int]:
    """How many tasks each view holds (with the same optional filters as the list)."""
    wanted = filters or TaskFilter()
    return {view: db.session.scalar(select(func.count()).select_from(
        _filtered_query(actor, view, wanted).subquery())) or 0 for view in VIEWS}


def inbox_regions(actor: User) -> list[Region]:
    """The regions an authority user may filter its inbox by: its own and those below it."""
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if region_covers(actor.region_code, r.code)
            and (r.code == actor.region_code or r.code != PROVINCE_CODE)]


def assignable_users(actor: User, task_id: str) -> list[User]:
    """The users a lead may assign the task to (active candidates of its role and jurisdiction)."""
    task = get_task(actor, task_id)
    require_can_assign(actor, task)
    users = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == task.role, User.active.is_(True)).order_by(User.display_name))
    return [u for u in users if is_candidate(u, task)]


_TASKS = table_of(Task)
_CLAIM = (update(_TASKS).where(_TASKS.c.id == bindparam("task"), _TASKS.c.assignee_id.is_(None),
                               _TASKS.c.status == TaskStatus.OPEN)
          .values(assignee_id=bindparam("assignee"), claimed_at=bindparam("now")))


def get_task(actor: User, task_id: str) -> Task:
    return require_task_visible(actor, db.session.get(Task, task_id))


def task_form(actor: User, task: Task) -> dict[str, Any]:
    """The task's JSON Schema with choices rendered for this user."""
    schema = forms.form_schema(task.case.procedure_version, task.form_key)
    return forms.render_schema(schema, actor, task.case)


def claim_task(actor: User, task_id: str) -> Task:
    task = get_task(actor, task_id)
    if not is_candidate(actor, task):
        raise NotAllowed("您不是该任务的办理人", code="not_candidate")
    _require_open(task)
    now = utcnow()
    # One conditional UPDATE decides between concurrent claims (a plain statement: nothing to flush first).
    claimed = db.session.connection().execute(_CLAIM, {"task": task.id, "assignee": actor.id, "now": now})
    if claimed.rowcount != 1:
        raise TaskAlreadyClaimed()
    # The row now holds these values: tell the loaded object without another SELECT or UPDATE.
    set_committed_value(task, "assignee_id", actor.id)
    set_committed_value(task, "claimed_at", now)
    db.session.expire(task, ["assignee"])
    history.record(task.case, "task_claimed", actor, task_id=task.id, step=task.title)
    return task


def unclaim_task(actor: User, task_id: str) -> Task:
    task = get_task(actor, task_id)
    _require_open(task)
    if task.assignee_id != actor.id:
        require_can_assign(actor, task)
    task.assignee, task.claimed_at = None, None
    history.record(task.case, "task_unclaimed", actor, task_id=task.id, step=task.title)
    db.session.flush()
    return task


def assign_task(actor: User, task_id: str, user_id: int) -> Task:
    """A lead assigns (or reassigns) a task to a candidate of its region."""
    task = get_task(actor, task_id)
    _require_open(task)
    require_can_assign(actor, task)
    assignee = db.session.get(User, user_id)
    if assignee is None or not assignee.active or not is_candidate(assignee, task):
        raise NotAllowed("该用户不能办理此任务", code="assignee_not_candidate")
    task.assignee, task.claimed_at = assignee, utcnow()
    history.record(task.case, "task_assigned", actor, task_id=task.id, step=task.title,
                   payload={"assignee": assignee.username})
    db.session.flush()
    return task


def _this_round(form: dict[str, Any], cleaned: dict[str, Any]) -> dict[str, Any]:
    """A submission is this round's whole answer: a field of the form left empty now clears what an
    earlier round of the same step wrote (a returned case's old review comment must not stand beside
    the approval that follows it, on the case page or in a script's condition)."""
    return {**dict.fromkeys(form.get("properties") or {}), **cleaned}


def _validated(actor: User, task: Task, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the task's form, the cleaned data), or InvalidForm with the schema's or the step validator's errors."""
    form = task_form(actor, task)
    cleaned = forms.validate(form, data, task.case)
    validator_name = (task.properties or {}).get("validator")
    if validator_name:
        field_errors = get_validator(validator_name)(
            HandlerContext(case=task.case, actor=actor, data=cleaned, session=db.session()))
        if field_errors:
            raise InvalidForm(field_errors)
    return form, cleaned


def submission_errors(actor: User, task_id: str, data: dict[str, Any]) -> dict[str, str]:
    """What completing the task with `data` would be refused for, without completing it: a page whose
    upload was refused still tells every other error of the form at once (一次性告知)."""
    task = get_task(actor, task_id)
    savepoint = db.session.begin_nested()  # a validator only reads; whatever it might touch is undone
    try:
        _validated(actor, task, data)
        return {}
    except InvalidForm as exc:
        return dict(exc.field_errors)
    finally:
        savepoint.rollback()


def complete_task(actor: User, task_id: str, data: dict[str, Any]) -> Task:
    """Validate the form and move the case on; an invalid submission raises InvalidForm, changes nothing."""
    task = get_task(actor, task_id)
    _require_open(task)
    if task.assignee_id is None:
        if not is_candidate(actor, task):
            raise NotAllowed("您不是该任务的办理人", code="not_candidate")
    elif task.assignee_id != actor.id:
        raise TaskAlreadyClaimed("该任务已由他人领取，您不能办理")
    form, cleaned = _validated(actor, task, data)
    case = task.case
    changes = {k: {"old": (case.data or {}).get(k), "new": v} for k, v in cleaned.items()
               if (case.data or {}).get(k) != v}
    if task.assignee_id is None:
        task.assignee, task.claimed_at = actor, utcnow()
    history.record(case, "task_completed", actor, task_id=task.id, step=task.title,
                   payload={"data": cleaned, "changes": changes})
    try:
        steps.advance(case, actor, steps.CompleteTask(task.id, _this_round(form, cleaned)))
    except LookupError as exc:
        # The engine says "no longer ready" (someone else was first) with a plain LookupError; its
        # subclasses (a KeyError, IndexError) are failures, never reported as a finished task.
        if type(exc) is not LookupError:
            raise
        raise TaskNotOpen() from exc
    return task


def _require_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise TaskNotOpen()

