"""Deadline clocks of tasks and cases, kept current by the step pipeline (steps._persist calls after_step).

A case clock exists when the procedure sets `committedLimit` (承诺时限) and/or `statutoryLimit`
(法定时限). It starts when the application is received (the first step that leaves an authority task
open), stands still while the case waits for the applicant (补正) or an excluded step is open
(`clockExcluded`: hearing, expert review, on-site verification), and on resubmission resumes or
restarts (`supplementClock`: resume | restart). Every start, pause and resumption is a case event.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import OPEN_STATUSES, Case, CaseClock, CaseStatus, Task, TaskStatus, User
from app.services import escalation, history, notifications
from app.services.calendar import business_hours, current_calendar
from app.services.deadlines import (
    LOCAL_TZ,
    PAUSED,
    Deadline,
    Excluded,
    completed_state,
    compute_deadline,
    is_true,
    parse_limit,
    parse_share,
    state_at,
)

SUPPLEMENT, EXCLUDED = "supplement", "excluded"


def warning_share(props: dict[str, str]) -> float:
    return parse_share(props.get("warningShare"), float(current_app.config.get("DEADLINE_WARNING_SHARE", 0.9)))


def after_step(case: Case, actor: User | None, tasks: list[Task]) -> None:
    """Bring the deadlines of the case and its tasks (all its task rows) up to date after a step
    (same transaction)."""
    now = utcnow()
    for task in tasks:  # a new task gets its deadline here, from its `dueIn` property
        _task_clock(task, now)
    _case_clock(case, actor, now, [t for t in tasks if t.status == TaskStatus.OPEN])


# -- tasks -------------------------------------------------------------------------------------
def task_deadline(task: Task) -> Deadline | None:
    props = task.properties or {}
    limit = parse_limit(str(props.get("dueIn") or ""))
    if limit is None:
        return None
    share = parse_share(props.get("warnAt"), warning_share(task.case.procedure_version.manifest.get("properties", {})))
    return compute_deadline(task.created_at, limit, current_calendar(), business_hours(), share)


def _task_clock(task: Task, now: datetime) -> None:
    if task.status != TaskStatus.OPEN:
        if task.deadline_state not in ("completed_on_time", "completed_late"):
            task.deadline_state = completed_state(task.completed_at or now, task.due_at)
        return
    if task.deadline_state is not None:
        return
    deadline = task_deadline(task)
    if deadline is None:
        return
    _apply_task_deadline(task, deadline)
    escalation.enter_task_state(task, state_at(now, task.warn_at, task.due_at))


def _apply_task_deadline(task: Task, deadline: Deadline) -> None:
    task.due_at, task.warn_at = deadline.due_at, deadline.warn_at
    task.properties = {**(task.properties or {}), "provisional_deadline": deadline.provisional}
    if deadline.provisional:
        notifications.alert_calendar_missing(deadline.missing_years)


# -- cases -------------------------------------------------------------------------------------
def _limits(case: Case) -> dict[str, str]:
    return case.procedure_version.manifest.get("properties", {}) or {}


def _received(open_tasks: list[Task]) -> bool:
    """The application is received once an authority has an open task on it."""
    return any(t.scope != "applicant" for t in open_tasks)


def _excluded_step(open_tasks: list[Task]) -> Task | None:
    return next((t for t in open_tasks if is_true((t.properties or {}).get("clockExcluded", "false"))), None)


def _case_clock(case: Case, actor: User | None, now: datetime, open_tasks: list[Task]) -> None:
    props = _limits(case)
    if not (props.get("committedLimit") or props.get("statutoryLimit")):
        return
    clock = db.session.get(CaseClock, case.id)
    if clock is None:
        if not _received(open_tasks):
            return
        clock = CaseClock(case_id=case.id, started_at=now, committed_limit=props.get("committedLimit"),
                          statutory_limit=props.get("statutoryLimit"), excluded_workdays=0, excluded_days=0,
                          excluded_seconds=0, provisional=False, statutory_overdue=False)
        db.session.add(clock)
        history.record(case, "clock_started", actor, payload={
            "committed": clock.committed_limit, "statutory": clock.statutory_limit})
        derive_case_deadlines(case, clock)
    if case.status not in OPEN_STATUSES:
        case.deadline_state = completed_state(case.completed_at or now, case.due_at)
        return
    _pause_or_resume(case, clock, actor, now, open_tasks)
    if clock.paused_at is None:
        escalation.enter_case_state(case, state_at(now, case.warn_at, case.due_at))


def _pause_or_resume(case: Case, clock: CaseClock, actor: User | None, now: datetime,
                     open_tasks: list[Task]) -> None:
    excluded = _excluded_step(open_tasks)
    reason = SUPPLEMENT if case.status == CaseStatus.WAITING_FOR_APPLICANT else EXCLUDED if excluded else None
    if reason and clock.paused_at is None:
        clock.paused_at, clock.pause_reason = now, reason
        case.deadline_state = PAUSED
        history.record(case, "clock_paused", actor, step=excluded.title if excluded and reason == EXCLUDED else None,
                       payload={"reason": reason})
    elif reason is None and clock.paused_at is not None:
        _resume(case, clock, actor, now)


def _resume(case: Case, clock: CaseClock, actor: User | None, now: datetime) -> None:
    assert clock.paused_at is not None
    restart = clock.pause_reason == SUPPLEMENT and _limits(case).get("supplementClock", "resume") == "restart"
    if restart:  # local rule: counting starts again the day after the materials arrive
        clock.started_at = now
        clock.excluded_workdays = clock.excluded_days = clock.excluded_seconds = 0
        payload: dict[str, object] = {"reason": clock.pause_reason, "mode": "restart"}
    else:
        paused_day, today = (clock.paused_at.astimezone(LOCAL_TZ).date(), now.astimezone(LOCAL_TZ).date())
        workdays = current_calendar().working_days_between(paused_day, today)
        clock.excluded_workdays += workdays
        clock.excluded_days += (today - paused_day).days
        clock.excluded_seconds += int((now - clock.paused_at).total_seconds())
        payload = {"reason": clock.pause_reason, "mode": "resume", "excluded_workdays": workdays}
    clock.paused_at, clock.pause_reason = None, None
    history.record(case, "clock_resumed", actor, payload=payload)
    derive_case_deadlines(case, clock)
    case.deadline_state = None  # re-entered below, with its notifications


def derive_case_deadlines(case: Case, clock: CaseClock) -> None:
    """due_at / warn_at from the committed limit, statutory_due_at from the statutory one."""
    cal, hours, share = current_calendar(), business_hours(), warning_share(_limits(case))
    excluded = Excluded(clock.excluded_workdays, clock.excluded_days, clock.excluded_seconds)
    found: dict[str, Deadline] = {}
    for name, text in (("committed", clock.committed_limit), ("statutory", clock.statutory_limit)):
        limit = parse_limit(text or "")
        if limit is not None:
            found[name] = compute_deadline(clock.started_at, limit, cal, hours, share, excluded)
    main = found.get("committed") or found.get("statutory")
    if main is None:
        return
    case.due_at, case.warn_at = main.due_at, main.warn_at
    case.statutory_due_at = found["statutory"].due_at if "statutory" in found else None
    missing = frozenset().union(*(d.missing_years for d in found.values()))
    clock.provisional = bool(missing)
    if missing:
        notifications.alert_calendar_missing(missing)


def recompute_provisional() -> int:
    """Recompute every open provisional deadline on the current calendar; returns how many."""
    count, now = 0, utcnow()
    for clock in db.session.scalars(select(CaseClock).where(CaseClock.provisional.is_(True))):
        case = db.session.get(Case, clock.case_id)
        if case is not None and case.status in OPEN_STATUSES:
            derive_case_deadlines(case, clock)
            if clock.paused_at is None:  # a later due date may take back a warning (no new notification)
                case.deadline_state = state_at(now, case.warn_at, case.due_at)
            count += 1
    for task in db.session.scalars(select(Task).where(Task.status == TaskStatus.OPEN, Task.due_at.is_not(None))):
        if (task.properties or {}).get("provisional_deadline"):
            deadline = task_deadline(task)
            if deadline is not None:
                _apply_task_deadline(task, deadline)
                task.deadline_state = state_at(now, task.warn_at, task.due_at)
                count += 1
    db.session.flush()
    return count


def case_is_provisional(case: Case) -> bool:
    clock = db.session.get(CaseClock, case.id)
    return bool(clock and clock.provisional)
