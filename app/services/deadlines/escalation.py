"""Deadline states over time and who is told: warning (黄牌) -> the holder, overdue (红牌) -> the lead
(of the task's region; for a case, of the case's region and of every region holding one of its open tasks).

`refresh_deadline_states` is the periodic job's service: it moves tasks and cases whose warning or due
moment has passed, with conditional UPDATEs (a parallel worker or a concurrent step never makes a
transition twice, and the case's optimistic lock is not bumped), records case events and notifies.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from app.db import rowcount, utcnow
from app.errors import Message
from app.extensions import db
from app.models import OPEN_STATUSES, PROVINCE_CODE, Case, CaseClock, Role, Task, TaskStatus, User, UserRole
from app.services.cases import history
from app.services.deadlines.limits import LOCAL_TZ, OVERDUE, PAUSED, WARNING, state_at
from app.services.notifications import Note, notify, users_with_role
from app.services.procedures.versions import manifest_of

RUNNING_STATES = ("on_time", WARNING)


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def holders(task: Task) -> list[User]:
    """The assignee, or every user who may claim the task."""
    if task.assignee_id is not None:
        user = db.session.get(User, task.assignee_id)
        return [user] if user is not None else []
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == task.role, User.active.is_(True)))
    if task.candidate_org_id is not None:
        query = query.where(User.organisation_id == task.candidate_org_id)
    else:
        query = query.where(User.region_code == task.region_code)
    return list(db.session.scalars(query).unique())


def leads(region_code: str | None) -> list[User]:
    """The leads (科室负责人) of the region; a county without one escalates to its city, then the province."""
    if region_code is None:
        return []
    for code in dict.fromkeys((region_code, region_code[:4] + "00", PROVINCE_CODE)):
        found = users_with_role(Role.LEAD, code)
        if found:
            return found
    return []


def case_leads(case: Case) -> list[User]:
    """Who is told when a case is late: the leads of the case's region and the leads over each open
    authority task's region (a step held by the province or another city is reassigned by its own lead)."""
    regions = db.session.scalars(select(Task.region_code).where(
        Task.case_id == case.id, Task.status == TaskStatus.OPEN, Task.region_code.is_not(None)).distinct())
    found: dict[int, User] = {}
    for code in dict.fromkeys([case.region_code, *regions]):
        found.update((u.id, u) for u in leads(code))
    return list(found.values())


def _step_english(task: Task) -> dict[str, str]:
    """`step_en`: the English the task's version gives its step (`nameEn`), for the English pages; none without."""
    meta = (manifest_of(task.case.procedure_version_id).get("tasks") or {}).get(task.bpmn_id) or {}
    english = str(meta.get("title_en") or "").strip()
    return {"step_en": english} if english else {}


def _announce_task(task: Task, state: str) -> None:
    case = task.case
    payload = {"case_number": case.number, "due_at": _fmt(task.due_at)}
    named = {"number": case.number, "step": task.title, **_step_english(task), "due": _fmt(task.due_at)}
    if state == WARNING:
        history.record(case, "deadline_warning", None, task_id=task.id, step=task.title)
        title = Message("【预警】{number} {step} 将于 {due} 到期", **named)
        notify(holders(task), Note("task_warning", title, Message("请尽快办理。"), case.id, task.id, task.id, payload))
    elif state == OVERDUE:
        history.record(case, "deadline_overdue", None, task_id=task.id, step=task.title)
        body = Message("可在待办中改派给其他审核人员。") if task.region_code else ""
        title = Message("【超期】{number} {step} 已超过办理时限 {due}", **named)
        notify(leads(task.region_code) + holders(task),  # once per deadline: a recomputed one that passes tells again
               Note("task_overdue", title, body, case.id, task.id, f"{task.id}:{payload['due_at']}", payload))


def _announce_case(case: Case, state: str) -> None:
    payload = {"case_number": case.number, "due_at": _fmt(case.due_at)}
    key = f"{case.id}:{payload['due_at']}"  # a clock that restarted or resumed warns again, once
    # due_at is the committed limit's, or the statutory one's where the procedure commits to none (the unlock)
    committed = case.clock is not None and bool(case.clock.committed_limit)
    if state == WARNING:
        history.record(case, "deadline_warning", None)
        open_tasks = db.session.scalars(select(Task).where(
            Task.case_id == case.id, Task.status == TaskStatus.OPEN, Task.scope != "applicant"))
        users = [u for t in open_tasks for u in holders(t)]
        title = Message("【预警】办件 {number} 将于 {due} 超过承诺时限" if committed else
                        "【预警】办件 {number} 将于 {due} 超过法定时限", number=case.number, due=_fmt(case.due_at))
        notify(users, Note("case_warning", title, "", case.id, None, key, payload))
    elif state == OVERDUE:
        history.record(case, "deadline_overdue", None)
        if committed:  # past a statutory limit, the 超法定时限 notice tells it (flag_statutory_overdue)
            title = Message("【超期】办件 {number} 已超过承诺时限 {due}", number=case.number, due=_fmt(case.due_at))
            notify(case_leads(case), Note("case_overdue", title, "", case.id, None, key, payload))


def enter_task_state(task: Task, state: str | None) -> None:
    """In a step: set the task's state and announce a new warning or overdue."""
    if state != task.deadline_state:
        task.deadline_state = state
        if state is not None:
            _announce_task(task, state)


def enter_case_state(case: Case, state: str | None) -> None:
    if state != case.deadline_state:
        case.deadline_state = state
        if state is not None:
            _announce_case(case, state)


def refresh_deadline_states(now: datetime | None = None) -> int:
    """Move every task and case whose warning or due moment has passed; returns the transitions."""
    now = now or utcnow()
    moved = 0
    tasks = db.session.scalars(select(Task).where(
        Task.status == TaskStatus.OPEN, Task.deadline_state.in_(RUNNING_STATES),
        or_(Task.warn_at <= now, Task.due_at < now)))
    for task in list(tasks):
        new = state_at(now, task.warn_at, task.due_at)
        if new and new != task.deadline_state and _swap(Task, task.id, task.deadline_state, new):
            _announce_task(task, new)
            moved += 1
    cases = db.session.scalars(select(Case).where(
        Case.status.in_(OPEN_STATUSES), Case.deadline_state.in_(RUNNING_STATES),
        or_(Case.warn_at <= now, Case.due_at < now)))
    for case in list(cases):
        new = state_at(now, case.warn_at, case.due_at)
        if new and new != case.deadline_state and _swap(Case, case.id, case.deadline_state, new):
            _announce_case(case, new)
            moved += 1
    return moved + _flag_statutory(now)


def _swap(model: type[Task] | type[Case], row_id: object, old: str | None, new: str) -> bool:
    """Compare-and-set of deadline_state, bypassing the ORM (no lock_version bump, no lost race)."""
    result = db.session.execute(update(model).where(model.id == row_id, model.deadline_state == old)
                                .values(deadline_state=new).execution_options(synchronize_session=False))
    return rowcount(result) == 1


def _flag_statutory(now: datetime) -> int:
    """A separate flag once the statutory limit (法定时限) has passed."""
    rows = db.session.execute(select(Case, CaseClock).join(CaseClock, CaseClock.case_id == Case.id).where(
        Case.status.in_(OPEN_STATUSES), Case.statutory_due_at < now, Case.deadline_state != PAUSED,
        CaseClock.paused_at.is_(None),  # paused, or stopped by a decision: the clock does not run
        CaseClock.statutory_overdue.is_(False))).all()
    flagged = 0
    for case, _clock in rows:
        result = db.session.execute(update(CaseClock).where(
            CaseClock.case_id == case.id, CaseClock.statutory_overdue.is_(False))
            .values(statutory_overdue=True).execution_options(synchronize_session=False))
        if rowcount(result) == 1:
            history.record(case, "statutory_overdue", None)
            title = Message("【超法定时限】办件 {number} 已超过法定时限 {due}", number=case.number,
                            due=_fmt(case.statutory_due_at))
            notify(case_leads(case), Note("case_statutory_overdue", title, case_id=case.id,
                                          key=f"{case.id}:{_fmt(case.statutory_due_at)}"))  # once per deadline
            flagged += 1
    return flagged
