"""What is overdue now (红牌) and what is in warning (黄牌): open steps and cases, the most urgent first.

"超法定时限" reads the case's statutory clock (法定时限 is a limit of the whole case: tasks carry none):
the statutory moment has passed, and passed while the clock ran (a clock paused before that moment,
for 补正 or an excluded step, has not reached it).

A case paused after its limit passed (returned for 补正 late, deadlines/breach.py) stays in the red list, marked
超期（暂停计时）, its days late counted to the pause: returning a late case does not clear the red board.
"""
from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.errors import Message
from app.extensions import db
from app.models import OPEN_STATUSES, ROLE_TITLES, Case, CaseClock, Task, TaskStatus, User
from app.policy import region_scope
from app.services.dashboard.open_work import procedure_names
from app.services.dashboard.scope import Scope, region_names
from app.services.dashboard.tables import Column, Table
from app.services.deadlines.breach import overdue_now
from app.services.deadlines.limits import PAUSED

OVERDUE_LIMIT = 200

TASK_COLUMNS = [
    Column("case_number", "办件编号", "link"), Column("procedure_name", "事项"), Column("step_title", "环节"),
    Column("region_name", "办理机关所在地"), Column("holder", "办理人"), Column("due_at", "办理期限", "date"),
    Column("days_late", "超期天数（自然日）", "int"), Column("statutory_overdue", "超法定时限"),
]
CASE_COLUMNS = [
    Column("case_number", "办件编号", "link"), Column("procedure_name", "事项"), Column("title", "办件名称"),
    Column("region_name", "地区"), Column("current_step", "当前环节"), Column("due_at", "办结期限", "date"),
    Column("deadline_status", "时限状态"),
    Column("days_late", "超期天数（自然日）", "int"), Column("statutory_overdue", "超法定时限"),
]
# A late case's state: its clock runs, or stands still (补正, an excluded step) after its limit had passed.
LATE_STATES = {False: "超期", True: "超期（暂停计时）"}
WARNING_COLUMNS = [
    Column("case_number", "办件编号", "link"), Column("procedure_name", "事项"), Column("title", "办件名称"),
    Column("region_name", "地区"), Column("current_step", "当前环节"), Column("due_at", "办结期限", "date"),
]


def days_late(due_at: datetime | None, now: datetime) -> int:
    """Whole calendar days past the limit, a started day counting as one (2 hours late: 1 day)."""
    if due_at is None or due_at >= now:
        return 0
    return math.ceil((now - due_at).total_seconds() / 86400)


def _reached(paused_at: datetime | None, now: datetime) -> datetime:
    """How far the case's clock has run: to now, or to the moment it stopped."""
    return min(now, paused_at) if paused_at is not None else now


def _statutory(statutory_due_at: datetime | None, paused_at: datetime | None, now: datetime) -> str:
    """是 once the case's statutory moment has passed while its clock ran."""
    return "是" if statutory_due_at is not None and statutory_due_at < _reached(paused_at, now) else "否"


def _holders(user_ids: set[int]) -> dict[int, str]:
    """Display names by id, read apart from the list: joined in, a misestimate made it slow."""
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())


def overdue_tasks(scope: Scope, complete: bool = False) -> Table:
    """The first OVERDUE_LIMIT, longest late first; all of them when `complete` (exports)."""
    where = (Task.status == TaskStatus.OPEN, Task.deadline_state == "overdue", Task.region_code.is_not(None),
             region_scope(Task.region_code, scope.region))
    total = db.session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
    query = (select(Task.id, Task.case_id, Task.title, Task.region_code, Task.role, Task.assignee_id, Task.due_at,
                    Case.statutory_due_at, CaseClock.paused_at, Case.number, Case.procedure_key)
             .join(Case, Task.case_id == Case.id).outerjoin(CaseClock, CaseClock.case_id == Case.id)
             .where(*where).order_by(Task.due_at, Task.id)
             .limit(None if complete else OVERDUE_LIMIT))
    found = db.session.execute(query).all()
    names, procedures = region_names(), procedure_names()
    holders = _holders({t.assignee_id for t in found if t.assignee_id is not None})
    rows = []
    for t in found:
        rows.append({"case_id": t.case_id, "case_number": t.number, "task_id": t.id,
                     "procedure_name": procedures.get(t.procedure_key, t.procedure_key), "step_title": t.title,
                     "region_code": t.region_code, "region_name": names.get(t.region_code or "", ""),
                     "holder": holders.get(t.assignee_id or 0) or Message(  # a message the pages translate
                         "待领取（{role}）", role=Message(ROLE_TITLES.get(t.role, t.role))),
                     "holder_id": t.assignee_id, "due_at": t.due_at, "days_late": days_late(t.due_at, scope.now),
                     "statutory_overdue": _statutory(t.statutory_due_at, t.paused_at, scope.now)})
    return Table("overdue_tasks", "当前超期环节（红牌）", TASK_COLUMNS, rows, total=total)


def overdue_cases(scope: Scope, complete: bool = False) -> Table:
    """The first OVERDUE_LIMIT, longest late first; all of them when `complete` (exports). With them the cases
    paused after their limit passed, marked 超期（暂停计时）, late by the days up to the pause."""
    where = (Case.status.in_(OPEN_STATUSES), overdue_now(), region_scope(Case.region_code, scope.region))
    total = db.session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    columns = (Case.id, Case.number, Case.procedure_key, Case.title, Case.region_code, Case.current_step,
               Case.due_at, Case.statutory_due_at, CaseClock.paused_at, Case.deadline_state)
    query = (select(*columns).outerjoin(CaseClock, CaseClock.case_id == Case.id).where(*where)
             .order_by(Case.due_at, Case.id).limit(None if complete else OVERDUE_LIMIT))
    names, procedures = region_names(), procedure_names()
    rows: list[dict[str, Any]] = []
    for case_id, number, procedure, title, region, step, due_at, statutory, paused, state in db.session.execute(query):
        rows.append({"case_id": case_id, "case_number": number, "procedure_name": procedures.get(procedure, procedure),
                     "title": title, "region_code": region, "region_name": names.get(region, region),
                     "current_step": step or "", "due_at": due_at, "deadline_status": LATE_STATES[state == PAUSED],
                     "days_late": days_late(due_at, _reached(paused, scope.now)),
                     "statutory_overdue": _statutory(statutory, paused, scope.now)})
    return Table("overdue_cases", "当前超期办件（红牌）", CASE_COLUMNS, rows, total=total)


def warning_cases(scope: Scope, complete: bool = False) -> Table:
    """Open cases in warning (黄牌) now, the nearest limit first: what a county (or any level) must act on
    before it turns red. The first OVERDUE_LIMIT; all of them when `complete` (exports)."""
    where = (Case.status.in_(OPEN_STATUSES), Case.deadline_state == "warning",
             region_scope(Case.region_code, scope.region))
    total = db.session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    columns = (Case.id, Case.number, Case.procedure_key, Case.title, Case.region_code, Case.current_step, Case.due_at)
    query = select(*columns).where(*where).order_by(Case.due_at, Case.id).limit(None if complete else OVERDUE_LIMIT)
    names, procedures = region_names(), procedure_names()
    rows = [{"case_id": case_id, "case_number": number, "procedure_name": procedures.get(procedure, procedure),
             "title": title, "region_code": region, "region_name": names.get(region, region),
             "current_step": step or "", "due_at": due_at}
            for case_id, number, procedure, title, region, step, due_at in db.session.execute(query)]
    return Table("warning_cases", "当前预警办件（黄牌）", WARNING_COLUMNS, rows, total=total)
