"""SLA dashboard (时限监管看板): open work, completion performance, overdue lists, weekly trend, scorecards.

Every table is computed by SQL aggregates that run on PostgreSQL and SQLite (see sql.py for the one
difference, percentiles), scoped to a region the actor supervises (app.policy).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.db import utcnow
from app.errors import Message, NotFound
from app.extensions import db
from app.models import Actor, Region
from app.policy import may_read_cases, require_dashboard_region
from app.services import audit
from app.services.dashboard import open_work, overdue, performance, scorecard, trend
from app.services.dashboard.scope import Scope, make_scope, region_names, region_path
from app.services.dashboard.sql import prepare_session
from app.services.dashboard.tables import Column, Table

TABLES: dict[str, Callable[[Scope], Table]] = {
    "open_cases": open_work.open_cases,
    "open_tasks": open_work.open_tasks,
    "by_procedure": performance.by_procedure,
    "by_step": performance.by_step,
    "by_region": performance.by_region,
    "overdue_tasks": overdue.overdue_tasks,
    "overdue_cases": overdue.overdue_cases,
    "warning_cases": overdue.warning_cases,
    "trend": trend.weekly_trend,
    "scorecard_authority": scorecard.by_authority,
    "scorecard_reviewer": scorecard.by_reviewer,
}


@dataclass(frozen=True)
class DashboardRequest:
    region: str | None = None
    first: date | None = None
    last: date | None = None
    weeks: int | None = None


def dashboard_scope(actor: Actor, request: DashboardRequest, now: datetime | None = None) -> Scope:
    """The scope an actor may look at; NotAllowed when the actor or the region is out of reach, NotFound for a
    region code that names no region (a mistyped code read as "no cases" otherwise)."""
    region = require_dashboard_region(actor, request.region)
    if request.region is not None and db.session.get(Region, region) is None:
        raise NotFound(Message("没有行政区划代码为 {code} 的地区", code=request.region), code="region_not_found")
    return make_scope(region, now or utcnow(), request.first, request.last, request.weeks)


COMPLETE_LISTS: dict[str, Callable[[Scope, bool], Table]] = {
    "overdue_tasks": overdue.overdue_tasks, "overdue_cases": overdue.overdue_cases,
    "warning_cases": overdue.warning_cases}


# What names a case or a person: an actor who reads no case (an analyst) gets the tables without it.
IDENTIFYING = frozenset({"case_id", "case_number", "task_id", "title", "holder", "holder_id", "username", "reviewer",
                         "current_step"})
PERSONAL_TABLES = frozenset({"scorecard_reviewer"})  # a table of persons: nothing left without them


def _for(actor: Actor, table: Table) -> Table:
    if may_read_cases(actor):
        return table
    columns = [c for c in table.columns if c.key not in IDENTIFYING]
    rows = [{k: v for k, v in row.items() if k not in IDENTIFYING} for row in table.rows]
    return Table(table.name, table.title, columns, rows if table.name not in PERSONAL_TABLES else [], table.total)


def get_table(actor: Actor, name: str, request: DashboardRequest, now: datetime | None = None,
              complete: bool = False) -> Table:
    """One table; `complete` (exports) lists every overdue item instead of the first page. An actor who reads
    no case gets it without case numbers, titles and persons."""
    if name not in TABLES:
        raise NotFound("没有这张统计表", code="dashboard_table_not_found")
    if name in PERSONAL_TABLES and not may_read_cases(actor):
        raise NotFound("没有这张统计表", code="dashboard_table_not_found")
    scope = dashboard_scope(actor, request, now)
    prepare_session()
    if complete:
        audit.record(actor, "dashboard.exported", "dashboard_table", name, region=scope.region,
                     first=scope.first.isoformat(), last=scope.last.isoformat())
    if complete and name in COMPLETE_LISTS:
        return _for(actor, COMPLETE_LISTS[name](scope, True))
    return _for(actor, TABLES[name](scope))


def all_tables(actor: Actor, request: DashboardRequest, now: datetime | None = None) -> tuple[Scope, list[Table]]:
    scope = dashboard_scope(actor, request, now)
    prepare_session()
    return scope, [_for(actor, build(scope)) for name, build in TABLES.items()
                   if name not in PERSONAL_TABLES or may_read_cases(actor)]


def breadcrumb(scope: Scope) -> list[dict[str, str]]:
    return region_path(scope.region, region_names())


__all__ = ["TABLES", "Column", "DashboardRequest", "Scope", "Table", "all_tables", "breadcrumb", "dashboard_scope",
           "get_table"]
