"""Open cases and open tasks right now, by procedure, region (one level below the scope) and state.

An open case counts once it was received (received_at): a draft the applicant has not submitted is not
work of any authority. A case paused after its limit passed (补正 asked late) counts as 超期（暂停计时）, red
beside the overdue ones (deadlines/breach.py), not among the cases paused in time."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, or_, select

from app.extensions import db
from app.models import OPEN_STATUSES, Case, Procedure, Task, TaskStatus
from app.policy import region_scope
from app.services.dashboard.scope import Scope, region_names, region_title
from app.services.dashboard.tables import REGION_COLUMNS, Column, Table
from app.services.deadlines.breach import PAUSED_OVERDUE, paused_overdue
from app.services.deadlines.limits import DECIDED_STATES

OPEN_STATES = ("on_time", "warning", "overdue", PAUSED_OVERDUE, "paused")
STATE_COLUMNS = [Column("on_time", "正常", "int"), Column("warning", "预警（黄牌）", "int"),
                 Column("overdue", "超期（红牌）", "int"), Column("paused", "暂停计时", "int"),
                 Column("no_limit", "无时限", "int"), Column("total", "合计", "int")]
# A case paused after its limit passed (补正 asked late) is still late: red, apart from the paused ones in time
# (a step is never paused: the tasks' table has no such column).
CASE_STATE_COLUMNS = [*STATE_COLUMNS[:3], Column(PAUSED_OVERDUE, "超期（暂停计时）", "int"), *STATE_COLUMNS[3:]]
COLUMNS = [Column("procedure", "事项代码"), Column("procedure_name", "事项"), *REGION_COLUMNS, *STATE_COLUMNS]
CASE_COLUMNS = [*COLUMNS[:4], *CASE_STATE_COLUMNS]


def procedure_names() -> dict[str, str]:
    return dict(db.session.execute(select(Procedure.key, Procedure.name)).all())


def open_cases(scope: Scope) -> Table:
    key = scope.child_key(Case.region_code)
    # (the clock is looked up for the paused cases only)
    state = case((paused_overdue(), PAUSED_OVERDUE), else_=Case.deadline_state)
    query = (select(Case.procedure_key, key, state, func.count())
             .where(Case.status.in_(OPEN_STATUSES), Case.received_at.is_not(None),  # drafts are not in work
                    region_scope(Case.region_code, scope.region),
                    # decided, only waiting (a temporary unlock's re-lock date): no longer the authority's work
                    or_(Case.deadline_state.is_(None), Case.deadline_state.not_in(DECIDED_STATES)))
             .group_by(Case.procedure_key, key, state))
    return _pivot("open_cases", "在办办件（按事项、地区、时限状态）", scope, db.session.execute(query).all(),
                  CASE_COLUMNS)


def open_tasks(scope: Scope) -> Table:
    """Open authority tasks (applicant tasks carry no region and are not supervised here)."""
    key = scope.child_key(Task.region_code)
    query = (select(Case.procedure_key, key, Task.deadline_state, func.count())
             .join(Case, Task.case_id == Case.id)
             .where(Task.status == TaskStatus.OPEN, Case.status.in_(OPEN_STATUSES),
                    Task.region_code.is_not(None), region_scope(Task.region_code, scope.region))
             .group_by(Case.procedure_key, key, Task.deadline_state))
    return _pivot("open_tasks", "在办待办环节（按事项、地区、时限状态）", scope,
                  db.session.execute(query).all())


def _pivot(name: str, title: str, scope: Scope, counts: Sequence[Any], columns: list[Column] = COLUMNS) -> Table:
    names, procedures = region_names(), procedure_names()
    states = [c for c in columns if c.kind == "int"]
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for procedure, region_key, state, count in counts:
        code = scope.child_code(region_key)
        row = rows.setdefault((procedure, code), {
            "procedure": procedure, "procedure_name": procedures.get(procedure, procedure),
            "region_code": code, "region_name": region_title(code, scope, names),
            **{c.key: 0 for c in states}})
        column = state if state in OPEN_STATES else "no_limit"
        row[column] += count
        row["total"] += count
    ordered = [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1] or ""))]
    return Table(name, title, columns, ordered)
