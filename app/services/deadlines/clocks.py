"""Deadline clocks of tasks and cases, kept current by the step pipeline (steps._persist calls after_step).

A case clock exists when the procedure sets `committedLimit` (承诺时限) and/or `statutoryLimit`
(法定时限). It starts when the application is received (the first step that leaves an authority task
open), stands still while the case waits for the applicant (补正) or an excluded step is open
(`clockExcluded`: hearing, expert review, on-site verification), and on resubmission resumes or
restarts (`supplementClock`: resume | restart). Every start, pause and resumption is a case event.

A decision stops the clock: once the authority's steps are done and the case only waits (a temporary
unlock's re-lock date, a timer, a message), nothing that follows is the authority's time. The clock stands
still with the reason `decided` (event `clock_stopped`), the case's deadline state is final at the moment of
the decision (按时办结 / 超期办结) whatever the clock says later, and the case leaves the warning, overdue
and statutory checks. Should an authority step open again, the clock resumes with the waiting excluded.

Every case also gets `received_at`, the moment it stops being a draft (the dashboard's "received" and
handling times count from it). An application refused (不予) and applied for again is a new application:
it is received anew, its limit starts afresh, and the refused one is kept as an `EarlierApplication` row
(its receipt, refusal and outcome), which the dashboards count beside the case.

Working-day timers of the diagrams (`add_working_days` in a timer expression) that reached a year the
calendar does not know are recorded here as `timer_provisional` case events, and the admins are alerted;
once the year is entered (or a day changed) such a timer is counted again on the calendar as it now is
(timer_moves; docs/operations.md, "Working-day timers").

The step passes the calendar it read once (`calendar`: read when first needed) down to every computation.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update

from app.db import utcnow
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Actor,
    Case,
    CaseClock,
    CaseEvent,
    CaseStatus,
    EarlierApplication,
    Task,
    TaskStatus,
)
from app.services import notifications
from app.services.cases import history
from app.services.deadlines import escalation
from app.services.deadlines.calendar import WorkCalendar, business_hours, current_calendar
from app.services.deadlines.limits import (
    LOCAL_TZ,
    ON_TIME,
    OVERDUE,
    PAUSED,
    WARNING,
    Deadline,
    Excluded,
    completed_state,
    compute_deadline,
    is_true,
    parse_limit,
    parse_share,
    state_at,
)
from app.services.deadlines.supplement import SUPPLEMENT_DUE, answers_a_return, set_supplement_due
from app.services.procedures.versions import manifest_of

CalendarSource = Callable[[], WorkCalendar]  # the step's calendar, read when first asked for

SUPPLEMENT, EXCLUDED, DECIDED, REFUSED = "supplement", "excluded", "decided", "refused"
# A decision stops the clock: approved and waiting (a temporary unlock's end date), or refused back to the
# applicant, who may amend and apply again: a new application, whose limit starts afresh (not what was left).
STOPPED_BY_DECISION = frozenset({DECIDED, REFUSED})
TIMER_PROVISIONAL = "timer_provisional"
DEADLINE_MOVED = "deadline_moved"  # a calendar change moved the case's deadlines (payload: from/to and the cause)
_SEVERITY = {None: 0, ON_TIME: 0, WARNING: 1, OVERDUE: 2}


def warning_share(props: dict[str, str]) -> float:
    return parse_share(props.get("warningShare"), float(current_app.config.get("DEADLINE_WARNING_SHARE", 0.9)))


def after_step(case: Case, actor: Actor | None, tasks: list[Task], calendar: CalendarSource,
               new_case: bool = False) -> None:
    """Bring the deadlines of the case and its tasks (the rows the step touched: open before it, or new) up to
    date after a step (same transaction)."""
    now = utcnow()
    if case.received_at is None and not _is_draft(tasks):
        case.received_at = now
    # The case's clock first: an authority's new step ends no later than the case (task_deadline).
    _case_clock(case, actor, now, [t for t in tasks if t.status == TaskStatus.OPEN], calendar, new_case)
    for task in tasks:  # a new task gets its deadline here, from its `dueIn` property
        _task_clock(task, now, calendar)


def _is_draft(tasks: list[Task]) -> bool:
    """Still a draft: the applicant's own first form(s), none submitted yet (a case started with its data
    and no applicant form, e.g. decided at once, is received when it starts)."""
    return bool(tasks) and all(t.scope == "applicant" and t.status != TaskStatus.COMPLETED for t in tasks)


# -- tasks -------------------------------------------------------------------------------------
def task_deadline(task: Task, calendar: CalendarSource = current_calendar) -> Deadline | None:
    props = task.properties or {}
    limit = parse_limit(str(props.get("dueIn") or ""))
    if limit is None:
        return None
    share = parse_share(props.get("warnAt"), warning_share(_limits(task.case)))
    return _within_the_case(task, compute_deadline(task.created_at, limit, calendar(), business_hours(), share))


def _within_the_case(task: Task, deadline: Deadline) -> Deadline:
    """An authority's step ends no later than its running case (its committed and statutory deadlines): after a
    补正 the case has only what was left of its limits, and a step's full `dueIn` counted from the resubmission
    ran past them (a reviewer's 12-10 beside the case's legal 12-09). Not the applicant's own steps, and not
    while the case's clock is paused: their time does not count against the case."""
    case = task.case
    if task.scope == "applicant" or case is None or case.deadline_state == PAUSED:
        return deadline
    bound = min((d for d in (case.due_at, case.statutory_due_at) if d is not None), default=None)
    if bound is None or deadline.due_at <= bound:
        return deadline
    warn = case.warn_at if bound == case.due_at and case.warn_at is not None else deadline.warn_at
    return replace(deadline, due_at=bound, warn_at=min(warn, bound))


def _task_clock(task: Task, now: datetime, calendar: CalendarSource) -> None:
    if task.status != TaskStatus.OPEN:
        if task.deadline_state == SUPPLEMENT_DUE:  # the applicant's 补正 date: no on-time / late outcome
            task.deadline_state = None
        elif task.deadline_state not in ("completed_on_time", "completed_late"):
            task.deadline_state = completed_state(task.completed_at or now, task.due_at)
        return
    if task.deadline_state is not None:
        return
    if answers_a_return(task):  # the date the 补正告知书 gives: shown, never an SLA deadline (deadlines/supplement)
        set_supplement_due(task, calendar())
        return
    deadline = task_deadline(task, calendar)
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
    return manifest_of(case.procedure_version_id).get("properties", {}) or {}


def _received(open_tasks: list[Task]) -> bool:
    """The application is received once an authority has an open task on it."""
    return any(t.scope != "applicant" for t in open_tasks)


def _excluded_step(open_tasks: list[Task]) -> Task | None:
    return next((t for t in open_tasks if is_true((t.properties or {}).get("clockExcluded", "false"))), None)


def _case_clock(case: Case, actor: Actor | None, now: datetime, open_tasks: list[Task],
                calendar: CalendarSource, new_case: bool) -> None:
    props = _limits(case)
    if not (props.get("committedLimit") or props.get("statutoryLimit")):
        return
    clock = None if new_case else case.clock
    if clock is None:
        if not _received(open_tasks):
            return
        clock = CaseClock(started_at=now, committed_limit=props.get("committedLimit"),
                          statutory_limit=props.get("statutoryLimit"), excluded_spans=[], excluded_workdays=0,
                          excluded_days=0, excluded_seconds=0, provisional=False, statutory_overdue=False)
        if case.id is None:  # a case not written yet: its clock is written after it
            clock.case = case
            db.session.add(clock)  # (the relationship alone does not add it: the row would be lost)
        else:  # (not through case.clock: setting it would first read what it replaces)
            clock.case_id = case.id
            db.session.add(clock)
        history.record(case, "clock_started", actor, payload={
            "committed": clock.committed_limit, "statutory": clock.statutory_limit})
        derive_case_deadlines(case, clock, calendar)
    if case.status not in OPEN_STATUSES:  # a case withdrawn before a decision has no deadline outcome
        decided = decided_at(clock)  # (withdrawn after one, e.g. a refusal: the decision's outcome stands)
        case.deadline_state = (None if case.status == CaseStatus.WITHDRAWN and decided is None
                               else completed_state(decided or case.completed_at or now, case.due_at))
        return
    _pause_or_resume(case, clock, actor, now, open_tasks, calendar)
    if clock.paused_at is None:
        escalation.enter_case_state(case, state_at(now, case.warn_at, case.due_at))


def decided_at(clock: CaseClock | None) -> datetime | None:
    """The moment the authority decided, when the clock was stopped by a decision."""
    return clock.paused_at if clock is not None and clock.pause_reason in STOPPED_BY_DECISION else None


def _pause_reason(case: Case, open_tasks: list[Task]) -> str | None:
    if case.status == CaseStatus.WAITING_FOR_APPLICANT:  # the authority's last decision: 补正 (return) or 不予
        return REFUSED if (case.data or {}).get("decision") == "reject" else SUPPLEMENT
    if _excluded_step(open_tasks):
        return EXCLUDED
    if case.status == CaseStatus.RUNNING and not open_tasks:  # decided: only waiting is left
        return DECIDED
    return None


def _pause_or_resume(case: Case, clock: CaseClock, actor: Actor | None, now: datetime,
                     open_tasks: list[Task], calendar: CalendarSource) -> None:
    excluded = _excluded_step(open_tasks)
    reason = _pause_reason(case, open_tasks)
    if reason in STOPPED_BY_DECISION and clock.pause_reason not in STOPPED_BY_DECISION:
        if clock.paused_at is not None:  # decided at the end of an excluded step: its time was not counted
            _resume(case, clock, actor, now, calendar)
        clock.paused_at, clock.pause_reason = now, reason
        case.deadline_state = completed_state(now, case.due_at)
        case.finished_at = now  # the authority's work ended here: the dashboards count the case by it
        history.record(case, "clock_stopped", actor, payload={"reason": reason})
    elif reason and clock.paused_at is None:
        clock.paused_at, clock.pause_reason = now, reason
        case.deadline_state = PAUSED
        history.record(case, "clock_paused", actor, step=excluded.title if excluded and reason == EXCLUDED else None,
                       payload={"reason": reason})
    elif reason is None and clock.paused_at is not None:
        _resume(case, clock, actor, now, calendar)


def _resume(case: Case, clock: CaseClock, actor: Actor | None, now: datetime, calendar: CalendarSource) -> None:
    assert clock.paused_at is not None
    if clock.pause_reason == REFUSED:  # applied for again: a new application, the refused one is kept
        _keep_refused_application(case, clock.paused_at, now)
    if clock.pause_reason in STOPPED_BY_DECISION:  # the authority works on it again: not finished after all
        case.finished_at = None
    restart = clock.pause_reason == REFUSED or (
        clock.pause_reason == SUPPLEMENT and _limits(case).get("supplementClock", "resume") == "restart")
    if restart:  # a new application after a refusal; or the local rule: counting starts again after 补正
        clock.started_at, clock.excluded_spans, clock.statutory_overdue = now, [], False
        clock.excluded_workdays = clock.excluded_days = clock.excluded_seconds = 0
        payload: dict[str, object] = {"reason": clock.pause_reason, "mode": "restart"}
    else:
        paused_day, today = (clock.paused_at.astimezone(LOCAL_TZ).date(), now.astimezone(LOCAL_TZ).date())
        workdays = calendar().working_days_between(paused_day, today)  # as now: told in the history
        # (a new list: the column is assigned, not changed in place, so that the ORM writes it)
        clock.excluded_spans = [*clock.excluded_spans, [paused_day.isoformat(), today.isoformat()]]
        clock.excluded_days += (today - paused_day).days
        clock.excluded_seconds += int((now - clock.paused_at).total_seconds())
        payload = {"reason": clock.pause_reason, "mode": "resume", "excluded_workdays": workdays}
    clock.paused_at, clock.pause_reason = None, None
    history.record(case, "clock_resumed", actor, payload=payload)
    derive_case_deadlines(case, clock, calendar)
    case.deadline_state = None  # re-entered below, with its notifications


def _keep_refused_application(case: Case, refused_at: datetime, now: datetime) -> None:
    """Keep what the refused application was for the dashboards; the case row now describes the new one,
    received now."""
    db.session.add(EarlierApplication(
        case_id=case.id, procedure_key=case.procedure_key, region_code=case.region_code,
        received_at=case.received_at, finished_at=case.finished_at or refused_at,
        deadline_state=case.deadline_state))
    case.received_at = now


def _case_deadlines(case: Case, clock: CaseClock, calendar: CalendarSource) -> dict[str, Deadline]:
    """The committed and statutory deadlines of a case clock on the calendar."""
    cal, hours, share = calendar(), business_hours(), warning_share(_limits(case))
    excluded = Excluded(excluded_workdays(clock, cal), clock.excluded_days, clock.excluded_seconds)
    found: dict[str, Deadline] = {}
    for name, text in (("committed", clock.committed_limit), ("statutory", clock.statutory_limit)):
        limit = parse_limit(text or "")
        if limit is not None:
            found[name] = compute_deadline(clock.started_at, limit, cal, hours, share, excluded)
    return found


def excluded_workdays(clock: CaseClock, cal: WorkCalendar) -> int:
    """The working days the clock's ended pauses excluded, counted on `cal` (the calendar as it is now: a day
    declared a holiday later inside a pause was not a working day to exclude), with those of pauses ended
    before their days were kept."""
    return clock.excluded_workdays + sum(
        cal.working_days_between(date.fromisoformat(paused), date.fromisoformat(resumed))
        for paused, resumed in clock.excluded_spans or ())


def derive_case_deadlines(case: Case, clock: CaseClock, calendar: CalendarSource = current_calendar) -> None:
    """due_at / warn_at from the committed limit, statutory_due_at from the statutory one."""
    found = _case_deadlines(case, clock, calendar)
    main = found.get("committed") or found.get("statutory")
    if main is None:
        return
    case.due_at, case.warn_at = main.due_at, main.warn_at
    case.statutory_due_at = found["statutory"].due_at if "statutory" in found else None
    missing = frozenset().union(*(d.missing_years for d in found.values()))
    clock.provisional = bool(missing)
    if missing:
        notifications.alert_calendar_missing(missing)


def _milder(old: str | None, new: str | None) -> str | None:
    """After a recomputation: a later limit takes a warning back at once; a state that became worse is left
    to the periodic refresh, which moves it with its events and notifications."""
    if old == PAUSED:
        return old
    if old in _SEVERITY and old is not None and _SEVERITY.get(new, 0) > _SEVERITY[old]:
        return old
    return new


def _years(first: datetime, *lasts: datetime | None) -> set[int]:
    end = max(m for m in (first, *lasts) if m is not None)
    return set(range(first.astimezone(LOCAL_TZ).year, end.astimezone(LOCAL_TZ).year + 1))


def _recompute_task(task: Task, now: datetime, calendar: CalendarSource) -> bool:
    """The task's deadline again on the current calendar (its state never made harsher here: escalation
    does that); whether it has one."""
    deadline = task_deadline(task, calendar)
    if deadline is None:
        return False
    _apply_task_deadline(task, deadline)
    task.deadline_state = _milder(task.deadline_state, state_at(now, task.warn_at, task.due_at))
    return True


def recompute_spanning(day: date, cause: dict[str, Any] | None = None) -> int:
    """recompute_spanning_cases: how many cases."""
    return len(recompute_spanning_cases(day, cause))


def recompute_spanning_cases(day: date, cause: dict[str, Any] | None = None) -> set[int]:
    """Recompute the open deadlines whose window contains `day`; returns the cases that had one recomputed
    (the case's own or a step's: their count is what the admin is told and the change log keeps). An admin's
    local closure (a typhoon day) moves every deadline running across it, and a rest day taken back moves them back;
    deadlines that ended before it, or start after it, are not concerned. A case whose deadline moved
    records why (`cause`: the day, as the calendar now has it) in its history."""
    if not date.min < day < date.max:  # its bounds would leave the calendar (flask calendar set 9999-12-31)
        return set()  # and no deadline runs across it
    cause = cause if cause is not None else {"day": day.isoformat()}
    start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    end = start + timedelta(days=1)
    now, calendar = utcnow(), current_calendar()
    spanning = (Case.status.in_(OPEN_STATUSES), CaseClock.started_at < end,
                or_(Case.due_at >= start, Case.statutory_due_at >= start))
    clocks = db.session.execute(select(CaseClock, Case).join(Case, Case.id == CaseClock.case_id)
                                .where(*spanning)).all()
    moved = set()
    for clock, case in clocks:
        _store_case_deadlines(case, clock, now, lambda: calendar, cause)
        moved.add(case.id)
    # The tasks across the day, and every running task of a case that moved: a step created after the day
    # may have been held to the case's deadline (_within_the_case), which has just moved. Those cases by a
    # subquery, not a list of ids (a province-wide closure moves tens of thousands).
    moved_cases = select(CaseClock.case_id).join(Case, Case.id == CaseClock.case_id).where(*spanning)
    tasks = db.session.scalars(select(Task).where(
        Task.deadline_state.in_((ON_TIME, WARNING, OVERDUE)), Task.status == TaskStatus.OPEN,
        or_(Task.created_at < end, Task.case_id.in_(moved_cases)), Task.due_at >= start))
    for task in list(tasks):
        if _recompute_task(task, now, lambda: calendar):
            moved.add(task.case_id)
    db.session.flush()
    return moved


def recompute_provisional(known_only: bool = False, cause: dict[str, Any] | None = None) -> int:
    """recompute_provisional_cases: how many cases."""
    return len(recompute_provisional_cases(known_only, cause))


def recompute_provisional_cases(known_only: bool = False, cause: dict[str, Any] | None = None) -> set[int]:
    """Recompute open provisional (暂定) deadlines on the current calendar; returns the cases that had one
    recomputed.

    Confirming or seeding a year recomputes all of them; the periodic SLA job (`known_only`) recomputes
    those whose years are all known by now: a deadline another process computed on a calendar read just
    before a year was confirmed elsewhere. Case rows are updated by plain statements: the case's
    optimistic version is not bumped, so a reviewer's concurrent step is not refused for it. A case whose
    deadline moved records it in its history (`cause`: the years entered; by default the calendar's known
    years among the case's).
    """
    now, calendar = utcnow(), current_calendar()
    known = calendar.known_years
    clocks = db.session.execute(select(CaseClock, Case).join(Case, Case.id == CaseClock.case_id).where(
        Case.status.in_(OPEN_STATUSES), CaseClock.provisional.is_(True))).all()
    recomputed: list[int] = []
    for clock, case in clocks:
        years = _years(clock.started_at, case.due_at, case.statutory_due_at)
        if known_only and not years <= known:
            continue
        _store_case_deadlines(case, clock, now, lambda: calendar,
                              cause if cause is not None else {"years": sorted(years & known)})
        recomputed.append(case.id)
    # The provisional tasks, and every running task of a recomputed case (one held to the case's deadline).
    tasks = db.session.scalars(select(Task).where(
        Task.deadline_state.in_((ON_TIME, WARNING, OVERDUE)), Task.status == TaskStatus.OPEN,
        or_(Task.properties["provisional_deadline"].as_boolean().is_(True), Task.case_id.in_(recomputed))))
    moved = set(recomputed)
    for task in list(tasks):
        if known_only and task.case_id not in recomputed and not _years(task.created_at, task.due_at) <= known:
            continue
        if _recompute_task(task, now, lambda: calendar):
            moved.add(task.case_id)
    db.session.flush()
    return moved


def _store_case_deadlines(case: Case, clock: CaseClock, now: datetime, calendar: CalendarSource,
                          cause: dict[str, Any]) -> None:
    """The case's deadlines again, written by an UPDATE of those columns (an ORM-enabled UPDATE: the case's
    optimistic version is not bumped, so a reviewer's concurrent step is not refused for it; the loaded
    case object gets the new values). A deadline that moved is told in the case's history, with its cause."""
    found = _case_deadlines(case, clock, calendar)
    main = found.get("committed") or found.get("statutory")
    missing = frozenset().union(*(d.missing_years for d in found.values()))
    clock.provisional = bool(missing)
    if missing:
        notifications.alert_calendar_missing(missing)
    if main is None:
        return
    statutory_due = found["statutory"].due_at if "statutory" in found else None
    if clock.statutory_overdue and (statutory_due is None or statutory_due > now):
        clock.statutory_overdue = False  # a later limit (a closure day entered) lifts it; a new breach flags again
    values: dict[str, Any] = {
        "due_at": main.due_at, "warn_at": main.warn_at,
        "statutory_due_at": statutory_due,
        "deadline_state": case.deadline_state if clock.paused_at is not None
        else _milder(case.deadline_state, state_at(now, main.warn_at, main.due_at))}
    moves = {name: [iso_moment(before), iso_moment(values[name])] for name, before in
             (("due_at", case.due_at), ("statutory_due_at", case.statutory_due_at)) if before != values[name]}
    db.session.execute(update(Case).where(Case.id == case.id).values(**values),
                       execution_options={"synchronize_session": "evaluate"})
    if moves:  # (an event row: the case's own row and version stay as they are)
        history.record(case, DEADLINE_MOVED, None, payload={**moves, "cause": cause})


def iso_moment(moment: datetime | None) -> str | None:
    """In UTC, as every stored moment (a computed deadline comes in China time)."""
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def case_is_provisional(case: Case) -> bool:
    clock = db.session.get(CaseClock, case.id)
    return bool(clock and clock.provisional)


# -- working-day timers of the diagrams ----------------------------------------------------------
def provisional_timer(calendar: WorkCalendar, start: datetime, days: int, due: datetime) -> dict[str, Any]:
    """What the step records of a working-day timer whose count crossed a year the calendar does not know."""
    received = start.astimezone(LOCAL_TZ).date()
    missing = sorted(y for y in range(received.year, due.astimezone(LOCAL_TZ).year + 1)
                     if y not in calendar.known_years)
    return {"start": start.isoformat(), "days": days, "due_at": due.isoformat(), "years": missing}


def record_provisional_timers(case: Case, timers: list[dict[str, Any]]) -> None:
    """Record each provisional working-day timer on the case (timer_provisional) and alert the admins."""
    for timer in timers:
        history.record(case, TIMER_PROVISIONAL, None, payload=timer)
        notifications.alert_calendar_missing(timer["years"])


def pending_provisional_timers(case: Case) -> list[dict[str, Any]]:
    """The case's working-day timers computed on a provisional calendar that have not fired yet (the case
    waits on a timer due no earlier than the one recorded) and whose years are not all entered yet."""
    if case.next_timer_at is None or case.status not in OPEN_STATUSES:
        return []
    events = db.session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.kind == TIMER_PROVISIONAL).order_by(CaseEvent.id))
    known = current_calendar().known_years  # a year entered since: the timer was counted again on it (timer_moves)
    return [dict(e.payload) for e in events if datetime.fromisoformat(e.payload["due_at"]) >= case.next_timer_at
            and not set(e.payload.get("years") or ()) <= known]
