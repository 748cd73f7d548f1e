"""Task lists: mine / claimable / done, with the inbox's filters, counts and regions.

A list is read as rows (`TaskRow`: the task's columns, its case's number and title, the applicant's name,
who holds it), not as ORM objects: one statement chooses the page from `tasks` alone (with the total as a
window count) and joins in the page's cases and holders. With the case joined in before the LIMIT,
PostgreSQL may join every matching task first or scan the table (README › Performance).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, bindparam, func, or_, select

from app.db import LIKE_ESCAPE, UTCDateTime, contains_pattern
from app.extensions import db
from app.models import PROVINCE_CODE, Actor, Case, Organisation, Region, Task, TaskStatus, User
from app.policy import allowed_procedures, candidate_filter, region_covers, role_kinds
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


@dataclass(frozen=True)
class _Shape:
    """What decides a list statement's structure: the view, its order, the caller's kinds of role and which
    filters are set. Statements are built once per shape with bound parameters (building one cost more
    CPU than PostgreSQL running it); the caller's and the filters' values are given at each execution."""

    view: str
    sort: str | None
    applicant: tuple[str, ...]
    official: tuple[str, ...]
    procedure: bool
    region: str | None  # "province" / "city" / "county": each is its own clause
    deadline_state: bool
    received_from: bool
    received_to: bool
    search: bool
    rights: bool  # claimable tasks of the procedures an enterprise operator was granted only


def _shape(actor: Actor, view: str, filters: TaskFilter) -> _Shape:
    applicant, official = role_kinds(actor) if view == "claimable" else ((), ())
    return _Shape(view, filters.sort, applicant, official, bool(filters.procedure), _region_kind(filters.region),
                  bool(filters.deadline_state), filters.received_from is not None, filters.received_to is not None,
                  bool(filters.search and filters.search.strip()),
                  view == "claimable" and allowed_procedures(actor) is not None)


def _values(actor: Actor, filters: TaskFilter) -> dict[str, Any]:
    """The bound values of a list statement (a statement ignores those it does not name)."""
    region = filters.region or ""
    return {"actor_id": actor.id, "organisation_id": actor.organisation_id, "actor_region": actor.region_code,
            "procedure": filters.procedure, "region": region[:4] + "%" if _region_kind(region) == "city" else region,
            "deadline_state": filters.deadline_state,
            "received_from": _local_start(filters.received_from) if filters.received_from else None,
            "received_to": _local_start(filters.received_to + timedelta(days=1)) if filters.received_to else None,
            "search": contains_pattern(filters.search.strip()) if filters.search and filters.search.strip() else "",
            "rights": sorted(allowed_procedures(actor) or ()),
            "limit": filters.per_page, "offset": (filters.page - 1) * filters.per_page}


def _view_query(shape: _Shape) -> Select[Any]:
    columns = [getattr(Task, name) for name in _TASK_FIELDS] + [Task.assignee_id]
    if shape.view == "claimable":
        candidates = candidate_filter(shape.applicant, shape.official, bindparam("organisation_id"),
                                      bindparam("actor_region"))
        return select(*columns).where(candidates, Task.status == TaskStatus.OPEN, Task.assignee_id.is_(None))
    actor_id = bindparam("actor_id", type_=Integer)
    if shape.view == "done":
        return select(*columns).where(Task.completed_by_id == actor_id, Task.status == TaskStatus.COMPLETED)
    return select(*columns).where(Task.assignee_id == actor_id, Task.status == TaskStatus.OPEN)


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _search_clause() -> Any:
    """Case number, case title (names the persons), applicant name or credit code, or a person's name."""
    like = bindparam("search", type_=String)
    people = select(User.id).where(User.display_name.ilike(like, escape=LIKE_ESCAPE))
    return or_(*(column.ilike(like, escape=LIKE_ESCAPE) for column in
                 (Case.number, Case.title, Organisation.name, Organisation.credit_code)),
               Case.started_by_id.in_(people), Task.assignee_id.in_(people))


def _region_kind(region: str | None) -> str | None:
    if not region:
        return None
    return "province" if region == PROVINCE_CODE else "city" if region.endswith("00") else "county"


def _region_clause(kind: str) -> Any:
    if kind == "province":
        return Case.region_code.is_not(None)
    if kind == "city":  # a city covers its counties
        return Case.region_code.like(bindparam("region", type_=String))
    return Case.region_code == bindparam("region", type_=String)


def _filtered_query(shape: _Shape) -> Select[Any]:
    query = _view_query(shape)
    if shape.procedure or shape.region or shape.search or shape.rights:
        query = query.join(Case, Task.case_id == Case.id)
    if shape.rights:
        query = query.where(Case.procedure_key.in_(bindparam("rights", expanding=True)))
    if shape.procedure:
        query = query.where(Case.procedure_key == bindparam("procedure", type_=String))
    if shape.region:
        query = query.where(_region_clause(shape.region))
    if shape.search:
        query = query.join(Organisation, Organisation.id == Case.applicant_org_id).where(_search_clause())
    if shape.deadline_state:
        query = query.where(Task.deadline_state == bindparam("deadline_state", type_=String))
    if shape.received_from:
        query = query.where(Task.created_at >= bindparam("received_from", type_=UTCDateTime()))
    if shape.received_to:
        query = query.where(Task.created_at < bindparam("received_to", type_=UTCDateTime()))
    return query


def _order(shape: _Shape, task: Any) -> tuple[ColumnElement[Any], ...]:
    """The list's order over `task`'s columns (the table, or the page's subquery)."""
    if shape.sort == "-due":
        return (task.due_at.is_(None), task.due_at.desc(), task.created_at.desc())
    if shape.sort in ("received", "-received"):
        return (task.created_at.desc() if shape.sort == "-received" else task.created_at,)
    if shape.view == "done" and shape.sort is None:
        return (task.completed_at.desc(),)
    return (task.due_at.is_(None), task.due_at, task.created_at)


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape) -> Select[Any]:
    """One page of the view with its total (a window count), its cases, applicants and holders joined in."""
    page = (_filtered_query(shape).add_columns(func.count().over().label("total"))
            .order_by(*_order(shape, Task)).limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer)).subquery())
    return (select(page, Case.number, Case.title.label("case_title"), Case.procedure_key, Organisation.name,
                   User.username, User.display_name)
            .join(Case, Case.id == page.c.case_id).join(Organisation, Organisation.id == Case.applicant_org_id)
            .outerjoin(User, User.id == page.c.assignee_id).order_by(*_order(shape, page.c)))


@lru_cache(maxsize=512)
def _count_statement(shape: _Shape) -> Select[Any]:
    return select(func.count()).select_from(_filtered_query(shape).subquery())


def list_tasks(actor: Actor, filters: TaskFilter) -> tuple[list[TaskRow], int]:
    """One page of a task view, ordered by deadline (soonest first) unless asked otherwise, and its total:
    one statement (a page past the end counts apart)."""
    shape, values = _shape(actor, filters.view, filters), _values(actor, filters)
    rows = db.session.execute(_page_statement(shape), values).all()
    if not rows:
        return [], db.session.scalar(_count_statement(shape), values) or 0
    return [_row(row) for row in rows], rows[0].total


def _row(row: Any) -> TaskRow:
    return TaskRow(**{name: getattr(row, name) for name in _TASK_FIELDS}, case_number=row.number,
                   case_title=row.case_title, procedure=row.procedure_key, applicant_name=row.name,
                   assignee=Holder(row.assignee_id, row.username, row.display_name) if row.assignee_id else None)


def count_views(actor: Actor, filters: TaskFilter | None = None) -> dict[str, int]:
    """How many tasks each view holds (with the same optional filters as the list)."""
    wanted = filters or TaskFilter()
    values = _values(actor, wanted)
    return {view: db.session.scalar(_count_statement(_shape(actor, view, wanted)), values) or 0 for view in VIEWS}


def inbox_regions(actor: Actor) -> list[Region]:
    """The regions an authority user may filter its inbox by: its own and those below it, in Guangxi (the
    regions of out-of-region enterprises, 湖南省 ..., hold no case of an authority here)."""
    regions = db.session.scalars(select(Region).where(Region.code.like(PROVINCE_CODE[:2] + "%")).order_by(Region.code))
    return [r for r in regions if region_covers(actor.region_code, r.code)
            and (r.code == actor.region_code or r.code != PROVINCE_CODE)]


@dataclass(frozen=True)
class StepOfTask:
    bpmn_id: str
    form_key: str
    scope: str


def steps_of_case(case_id: int) -> dict[str, StepOfTask]:
    """Each task of the case (open or done) -> its diagram step and its form: which form a submission in the
    case's history was made on, and which earlier round of the same step a returned task follows."""
    rows = db.session.execute(select(Task.id, Task.bpmn_id, Task.form_key, Task.scope).where(Task.case_id == case_id))
    return {task_id: StepOfTask(bpmn_id, form_key, scope) for task_id, bpmn_id, form_key, scope in rows}
