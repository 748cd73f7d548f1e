"""Task lists: mine / claimable / done, with the inbox's filters, counts and regions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.db import LIKE_ESCAPE, contains_pattern
from app.extensions import db
from app.models import PROVINCE_CODE, Case, Organisation, Region, Task, TaskStatus, User
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
