"""Completed work over a period: on-time rate and median / p90 handling time per procedure, step, region.

A case's handling time runs from its receipt (received_at: the application reached the authority, not
the moment its draft was opened) to its decision, and the case counts in the period of its decision (the
case's completion when no decision stopped its clock earlier: finished.py); a step's from the moment the
task appeared to its completion; both in calendar hours. The on-time rate counts only work that had
a limit: completed_on_time / (completed_on_time + completed_late).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from app.extensions import db
from app.models import Case, Procedure, ProcedureVersion, Task, TaskStatus
from app.policy import region_scope
from app.services.dashboard.finished import finished_cases
from app.services.dashboard.open_work import procedure_names
from app.services.dashboard.scope import Scope, region_names, region_title
from app.services.dashboard.sql import (
    SQLITE_PERCENTILE_ROWS,
    hours_between,
    is_postgres,
    percentile_cont,
    pg_percentile,
)
from app.services.dashboard.tables import REGION_COLUMNS, STAT_COLUMNS, Column, Table, hours, rate

Where = Callable[[Select[Any]], Select[Any]]


def grouped_stats(keys: list[Any], state: Any, duration: Any, where: Where,
                  extras: dict[str, Any] | None = None) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Counts, on-time rate and percentiles of `duration` per group of `keys`, on either backend."""
    measures = {"completed": func.count(), "on_time": func.sum(case((state == "completed_on_time", 1), else_=0)),
                "late": func.sum(case((state == "completed_late", 1), else_=0)), **(extras or {})}
    if is_postgres():
        measures |= {"median_hours": pg_percentile(0.5, duration), "p90_hours": pg_percentile(0.9, duration)}
    query = where(select(*keys, *(m.label(n) for n, m in measures.items()))).group_by(*keys)
    result: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in db.session.execute(query):
        values = dict(row._mapping)
        on_time, late = values["on_time"] or 0, values["late"] or 0
        result[tuple(row[:len(keys)])] = {
            **{n: values[n] for n in extras or {}}, "completed": values["completed"], "measured": on_time + late,
            "on_time": on_time, "late": late, "on_time_rate": rate(on_time, on_time + late),
            "median_hours": hours(values.get("median_hours")), "p90_hours": hours(values.get("p90_hours"))}
    if not is_postgres():
        _python_percentiles(keys, duration, where, result)
    return result


def _python_percentiles(keys: list[Any], duration: Any, where: Where,
                        result: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    """SQLite: read (keys, hours) sorted and interpolate like percentile_cont.

    The read is bounded: beyond SQLITE_PERCENTILE_ROWS the percentiles stay None (shown as "—") rather
    than being computed from part of the period.
    """
    query = where(select(*keys, duration)).order_by(*keys, duration).limit(SQLITE_PERCENTILE_ROWS + 1)
    width = len(keys)
    rows = db.session.execute(query).all()
    if len(rows) > SQLITE_PERCENTILE_ROWS:
        return
    for group, items in groupby(rows, key=lambda r: tuple(r[:width])):
        values = [float(r[width]) for r in items]
        if group in result:
            result[group]["median_hours"] = hours(percentile_cont(values, 0.5))
            result[group]["p90_hours"] = hours(percentile_cont(values, 0.9))


def _case_stats(scope: Scope, key: Callable[[Any], Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Stats of the cases finished in the period, grouped by `key` of their columns; handling time from
    receipt to the decision."""
    finished = finished_cases(scope.start, scope.end, scope.region)
    return grouped_stats([key(finished.c)], finished.c.deadline_state,
                         hours_between(finished.c.received_at, finished.c.finished_at),
                         lambda query: query.select_from(finished))


def step_owners() -> dict[str, dict[str, str]]:
    """bpmn_id -> {procedure: step title} over every deployed version (the latest version's title wins)."""
    owners: dict[str, dict[str, str]] = defaultdict(dict)
    query = (select(Procedure.key, ProcedureVersion.manifest)
             .join(ProcedureVersion, ProcedureVersion.procedure_id == Procedure.id).order_by(ProcedureVersion.version))
    for key, manifest in db.session.execute(query):
        for bpmn_id, meta in ((manifest or {}).get("tasks") or {}).items():
            owners[bpmn_id][key] = (meta or {}).get("title") or bpmn_id
    return owners


def _completed_steps(scope: Scope) -> tuple[ColumnElement[bool], ...]:
    return (Task.status == TaskStatus.COMPLETED, Task.completed_at >= scope.start, Task.completed_at < scope.end,
            Task.region_code.is_not(None), region_scope(Task.region_code, scope.region))


def _steps_of_one_procedure(scope: Scope, unique: dict[str, tuple[str, str]]) -> dict[tuple[Any, ...], Any]:
    """Steps whose id only one procedure uses: grouped by id alone, answered from the index."""
    if not unique:
        return {}
    stats = grouped_stats([Task.bpmn_id], Task.deadline_state, hours_between(Task.created_at, Task.completed_at),
                          lambda q: q.where(*_completed_steps(scope), Task.bpmn_id.in_(sorted(unique))))
    return {(unique[b][0], b): {"step_title": unique[b][1], **values} for (b,), values in stats.items()}


def _steps_of_shared_ids(scope: Scope, unique: dict[str, tuple[str, str]]) -> dict[tuple[Any, ...], Any]:
    """Steps whose id several procedures use (or none deployed): the case's procedure by key lookup.

    A lookup rather than a join: a join makes PostgreSQL hash the whole cases table, the lookup touches
    only the cases of the period's steps.
    """
    procedure = select(Case.procedure_key).where(Case.id == Task.case_id).scalar_subquery()
    steps = select(procedure.label("procedure_key"), Task.bpmn_id, Task.title, Task.deadline_state,
                   Task.created_at, Task.completed_at).where(
        *_completed_steps(scope), Task.bpmn_id.not_in(sorted(unique))).subquery()
    return grouped_stats([steps.c.procedure_key, steps.c.bpmn_id], steps.c.deadline_state,
                         hours_between(steps.c.created_at, steps.c.completed_at),
                         lambda query: query.select_from(steps), extras={"step_title": func.max(steps.c.title)})


def by_procedure(scope: Scope) -> Table:
    stats = _case_stats(scope, lambda c: c.procedure_key)
    names = procedure_names()
    rows = [{"procedure": k[0], "procedure_name": names.get(k[0], k[0]), **v} for k, v in sorted(stats.items())]
    columns = [Column("procedure", "事项代码"), Column("procedure_name", "事项"), *STAT_COLUMNS]
    return Table("by_procedure", "办结情况（按事项）", columns, rows)


def by_region(scope: Scope) -> Table:
    stats = _case_stats(scope, lambda c: scope.child_key(c.region_code))
    names = region_names()
    rows = []
    for (region_key,), values in sorted(stats.items()):
        code = scope.child_code(region_key)
        rows.append({"region_code": code, "region_name": region_title(code, scope, names), **values})
    return Table("by_region", "办结情况（按地区）", [*REGION_COLUMNS, *STAT_COLUMNS], rows)


def by_step(scope: Scope) -> Table:
    """Per step (环节) of each procedure, with the title the diagram gives the step."""
    unique = {b: next(iter(o.items())) for b, o in step_owners().items() if len(o) == 1}
    stats = _steps_of_one_procedure(scope, unique) | _steps_of_shared_ids(scope, unique)
    names = procedure_names()
    rows = [{"procedure": p, "procedure_name": names.get(p, p), "step": step, **values}
            for (p, step), values in sorted(stats.items())]
    columns = [Column("procedure", "事项代码"), Column("procedure_name", "事项"), Column("step", "环节代码"),
               Column("step_title", "环节"), *STAT_COLUMNS]
    return Table("by_step", "办结情况（按环节）", columns, rows)
