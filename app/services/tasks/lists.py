"""Task lists: mine / claimable / done, with the inbox's filters, counts and regions.

A list is read as rows (`TaskRow`: the task's columns, its case's number and title, the applicant's name,
who holds it), not as ORM objects: one statement chooses the page from `tasks` alone (with the total as a
window count) and joins in the page's cases and holders. With the case joined in before the LIMIT,
PostgreSQL may join every matching task first or scan the table (README › Performance).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from app.db import LIKE_ESCAPE, contains_pattern
from app.extensions import db
from app.models import PROVINCE_CODE, Actor, Case, Organisation, Region, Task, TaskStatus, User
from app.policy import claimable_tasks, region_covers
from app.services.deadlines.limits import LOCAL_TZ

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


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a task (its assignee)."""

    id: int
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task as the lists and the API show it."""

    id: str
    case_id: int
    bpmn_id: str
    title: str
    lane: str | None
    role: str
    scope: str
    region_code: str | None
    form_key: str
    status: str
    created_at: datetime
    claimed_at: datetime | None
    completed_at: datetime | None
    due_at: datetime | None
    warn_at: datetime | None
    deadline_state: str | None
    properties: dict[str, Any]
    case_number: str
    case_title: str
    procedure: str
    assignee: Holder | None
    applicant_name: str | None = None  # read by the lists (the inbox shows it), not for one task


_TASK_FIELDS = ("id", "case_id", "bpmn_id", "title", "lane", "role", "scope", "region_code", "form_key", "status",
                "created_at", "claimed_at", "completed_at", "due_at", "warn_at", "deadline_state", "properties")


def task_row(task: Task, actor: Actor | None = None) -> TaskRow:
    """The row of a task at hand (with its case); its holder is the actor, or read when another holds it."""
    return TaskRow(**{name: getattr(task, name) for name in _TASK_FIELDS}, case_number=task.case.number,
                   case_title=task.case.title, procedure=task.case.procedure_key,
                   assignee=_holder(task.assignee_id, actor))


def _holder(user_id: int | None, actor: Actor | None) -> Holder | None:
    if user_id is None:
        return None
    if actor is not None and actor.id == user_id:
        return Holder(actor.id, actor.username, actor.display_name)
    user = db.session.get(User, user_id)
    return Holder(user.id, user.username, user.display_name) if user is not None else None


def _view_query(actor: Actor, view: str) -> Select[Any]:
    columns = [getattr(Task, name) for name in _TASK_FIELDS] + [Task.assignee_id]
    if view == "claimable":
        return select(*columns).where(claimable_tasks(actor))
    if view == "done":
        return select(*columns).where(Task.completed_by_id == actor.id, Task.status == TaskStatus.COMPLETED)
    return select(*columns).where(Task.assignee_id == actor.id, Task.status == TaskStatus.OPEN)


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


def _filtered_query(actor: Actor, view: str, filters: TaskFilter) -> Select[Any]:
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


def _order(filters: TaskFilter, task: Any) -> tuple[ColumnElement[Any], ...]:
    """The list's order over `task`'s columns (the table, or the page's subquery)."""
    if filters.sort == "-due":
        return (task.due_at.is_(None), task.due_at.desc(), task.created_at.desc())
    if filters.sort in ("received", "-received"):
        return (task.created_at.desc() if filters.sort == "-received" else task.created_at,)
    if filters.view == "done" and filters.sort is None:
        return (task.completed_at.desc(),)
    return (task.due_at.is_(None), task.due_at, task.created_at)


def list_tasks(actor: Actor, filters: TaskFilter) -> tuple[list[TaskRow], int]:
    """One page of a task view, ordered by deadline (soonest first) unless asked otherwise, and its total:
    one statement (a page past the end counts apart)."""
    page = (_filtered_query(actor, filters.view, filters).add_columns(func.count().over().label("total"))
            .order_by(*_order(filters, Task)).limit(filters.per_page)
            .offset((filters.page - 1) * filters.per_page).subquery())
    rows = db.session.execute(
        select(page, Case.number, Case.title.label("case_title"), Case.procedure_key, Organisation.name,
               User.username, User.display_name)
        .join(Case, Case.id == page.c.case_id).join(Organisation, Organisation.id == Case.applicant_org_id)
        .outerjoin(User, User.id == page.c.assignee_id).order_by(*_order(filters, page.c))).all()
    if not rows:
        total = db.session.scalar(select(func.count()).select_from(
            _filtered_query(actor, filters.view, filters).subquery())) or 0
        return [], total
    return [_row(row) for row in rows], rows[0].total


def _row(row: Any) -> TaskRow:
    return TaskRow(**{name: getattr(row, name) for name in _TASK_FIELDS}, case_number=row.number,
                   case_title=row.case_title, procedure=row.procedure_key, applicant_name=row.name,
                   assignee=Holder(row.assignee_id, row.username, row.display_name) if row.assignee_id else None)


def count_views(actor: Actor, filters: TaskFilter | None = None) -> dict[str, int]:
    """How many tasks each view holds (with the same optional filters as the list)."""
    wanted = filters or TaskFilter()
    return {view: db.session.scalar(select(func.count()).select_from(
        _filtered_query(actor, view, wanted).subquery())) or 0 for view in VIEWS}


def inbox_regions(actor: Actor) -> list[Region]:
    """The regions an authority user may filter its inbox by: its own and those below it."""
    regions = db.session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if region_covers(actor.region_code, r.code)
            and (r.code == actor.region_code or r.code != PROVINCE_CODE)]


@dataclass(frozen=True)
class StepOfTask:
    bpmn_id: str
    form_key: str


def steps_of_case(case_id: int) -> dict[str, StepOfTask]:
    """Each task of the case (open or done) -> its diagram step and its form: which form a submission in the
    case's history was made on, and which earlier round of the same step a returned task follows."""
    rows = db.session.execute(select(Task.id, Task.bpmn_id, Task.form_key).where(Task.case_id == case_id))
    return {task_id: StepOfTask(bpmn_id, form_key) for task_id, bpmn_id, form_key in rows}
