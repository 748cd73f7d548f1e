"""The one step pipeline: load state -> engine -> project tasks -> deadlines -> history -> save.

Every way a case moves (start, form completed, timer fired, retry, withdrawal, timers rescheduled after
a calendar year was entered) goes through here, in the caller's transaction; the one exception is a state
that does not load, whose 异常 is committed on its own while the action is refused (_refuse_unreadable).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.db import table_of, unit_of_work, utcnow
from app.direct_write import write_now
from app.engine import SERIALIZER_VERSION, Engine, RunningCase, StateUnreadable, StepResult
from app.errors import StaleCase
from app.extensions import db
from app.models import PROVINCE_CODE, Case, CaseStatus, Task, TaskStatus, User, WorkflowState
from app.policy import is_candidate
from app.services.cases import history
from app.services.deadlines import clocks
from app.services.deadlines.limits import LOCAL_TZ, due_at
from app.services.procedures.registry import HandlerContext, get_handler
from app.services.procedures.versions import definition_of

log = logging.getLogger(__name__)

HISTORY_KINDS = {"ServiceTask": "handler_ran", "ScriptTask": "step_finished", "EndEvent": "step_finished",
                 "BoundaryEvent": "timer_fired", "IntermediateCatchEvent": "timer_fired",
                 "BusinessRuleTask": "step_finished"}


def _script_add_working_days(start: str, days: int) -> str:
    """For timers in diagrams: close of business on the Nth working day after `start` (ISO), counted
    exactly as task deadlines are (the same calendar and office hours), as an ISO string. A result that
    crossed a year the calendar does not know is provisional: the step records it on the case and the
    admins are alerted (clocks.note_provisional_timer)."""
    begin = datetime.fromisoformat(start)
    due, provisional = due_at(begin, f"{int(days)} working days")
    assert due is not None
    if provisional:
        clocks.note_provisional_timer(begin if begin.tzinfo else begin.replace(tzinfo=LOCAL_TZ), int(days), due)
    return due.isoformat()


def _script_end_of_day(day: str) -> str:
    """For timers in diagrams: the end of a local date (YYYY-MM-DD) as an ISO string with offset."""
    return datetime.combine(date.fromisoformat(day), time(23, 59, 59), tzinfo=LOCAL_TZ).isoformat()


def _script_now() -> str:
    return utcnow().isoformat()


ENGINE = Engine({"add_working_days": _script_add_working_days, "end_of_day": _script_end_of_day,
                 "now": _script_now})


@dataclass
class CompleteTask:
    task_id: str
    data: dict[str, Any]


@dataclass
class FireTimers:
    pass


@dataclass
class Retry:
    pass


@dataclass
class Cancel:
    status: CaseStatus = CaseStatus.WITHDRAWN
    reason: str = ""


@dataclass
class RescheduleTimers:
    """Working-day timers of the diagram scheduled on a provisional calendar move to the moment the calendar
    now gives (after a year was entered: clocks.timer_moves); nothing runs. A timer that fired, or whose
    stored moment is not the one we computed, is left as it is."""


Action = CompleteTask | FireTimers | Retry | Cancel | RescheduleTimers

STATE_UNREADABLE_MESSAGE = "流程数据无法读取（保存的流程状态已损坏或无法解析），请修复后由管理员重试"


@dataclass
class StepOutcome:
    result: StepResult
    new_tasks: list[Task] = field(default_factory=list)


def _service_caller(case: Case, actor: User | None) -> Any:
    def call(name: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        handler = get_handler(name)
        ctx = HandlerContext(case=case, actor=actor, data=data, session=db.session())
        # A savepoint per handler: a failing handler leaves nothing half-applied.
        with history.savepoint():
            result = handler(ctx, **params) or {}
            try:  # handlers often set case fields (title, region): written directly, then their other rows
                write_now(db.session(), [case])
                db.session.flush()
            except BaseException:
                # The savepoint rolls back what was written in it: reload the case from the database,
                # as the ORM does for the rows it flushed there (its version must match the row's).
                db.session.expire(case)
                raise
            return result
    return call


def start(case: Case, actor: User, data: dict[str, Any], claim_for: User | None = None) -> StepOutcome:
    """Create the workflow of a new (flushed) case and run it to its first wait; a first task that
    `claim_for` may do is claimed by them (the applicant's own form)."""
    definition = definition_of(case.procedure_version)
    running, result = ENGINE.start(definition, data, _service_caller(case, actor))
    history.record(case, "case_started", actor, payload={"procedure": case.procedure_key})
    return _persist(case, actor, running, result, None, new_case=True, claim_for=claim_for)


# The pipeline's own statements, built once: they touch rows no ORM object mirrors (or mirror them
# with set_committed_value), so they run on the session's connection, without autoflush or the ORM's
# per-statement work (building and hashing a statement costs more than SQLite running it).
_STATES, _CASES = table_of(WorkflowState), table_of(Case)
_READ_STATE = select(_STATES.c.state, _STATES.c.serializer_version).where(_STATES.c.case_id == bindparam("case"))
_INSERT_STATE = insert(_STATES)
_UPDATE_STATE = update(_STATES).where(_STATES.c.case_id == bindparam("case"))
_BUMP_VERSION = (update(_CASES).where(_CASES.c.id == bindparam("case"), _CASES.c.lock_version == bindparam("seen"))
                 .values(lock_version=_CASES.c.lock_version + 1, updated_at=bindparam("now")))
_BUMP_VERSION_AND_DATA = _BUMP_VERSION.values(data=bindparam("data"))


def load(case: Case, actor: User | None) -> RunningCase:
    """The case's running workflow (its state row read as plain columns: it is only ever replaced whole)."""
    row = db.session.connection().execute(_READ_STATE, {"case": case.id}).one_or_none()
    if row is None:
        raise RuntimeError(f"case {case.id} has no workflow state")
    definition = definition_of(case.procedure_version)
    return ENGINE.load(definition, row.state, row.serializer_version, _service_caller(case, actor))


def _save_state(case: Case, running: RunningCase, new_case: bool) -> None:
    values = {"state": running.dump(), "serializer_version": SERIALIZER_VERSION}
    connection = db.session.connection()
    if new_case:
        connection.execute(_INSERT_STATE, {"case_id": case.id, **values})
    else:
        connection.execute(_UPDATE_STATE, {"case": case.id, **values})


def _lock_case(case: Case, data: dict[str, Any] | None = None) -> None:
    """Bump the case's version first: a concurrent step on the same case fails here (409), before any
    handler runs, and this transaction holds the row until it ends. (A savepoint rolled back later
    would reload the version and hide the conflict.) One plain UPDATE, not an ORM flush; it also
    writes the case's new `data` where given (a submitted form), which handlers then read, so the
    case is not left dirty for the flush that opens each handler's savepoint."""
    now = utcnow()
    params: dict[str, Any] = {"case": case.id, "seen": case.lock_version, "now": now}
    if data is not None:
        params["data"] = data
    try:
        bumped = db.session.connection().execute(_BUMP_VERSION if data is None else _BUMP_VERSION_AND_DATA,
                                                 params)
    except OperationalError as exc:  # SQLite: another writer held the database past the busy timeout
        raise StaleCase() from exc
    if bumped.rowcount != 1:
        raise StaleCase()
    set_committed_value(case, "lock_version", case.lock_version + 1)
    set_committed_value(case, "updated_at", now)
    if data is not None:
        set_committed_value(case, "data", data)


def advance(case: Case, actor: User | None, action: Action) -> StepOutcome:
    """Apply one action to a case and persist everything it changed."""
    submitted = {**(case.data or {}), **action.data} if isinstance(action, CompleteTask) else None
    _lock_case(case, submitted)
    try:
        running = load(case, actor)
    except StateUnreadable as exc:
        _refuse_unreadable(case, actor, action, exc)
        raise
    completed_task_id = None
    if isinstance(action, CompleteTask):
        result = running.complete_task(action.task_id, action.data)
        completed_task_id = action.task_id
    elif isinstance(action, FireTimers):
        result = running.fire_timers()
    elif isinstance(action, Retry):
        history.record(case, "retried", actor, step=case.current_step)
        result = running.retry()
    elif isinstance(action, RescheduleTimers):
        result = _reschedule_timers(case, actor, running)
    else:
        result = running.cancel()
    outcome = _persist(case, actor, running, result, completed_task_id)
    if isinstance(action, Cancel):
        case.status = action.status
        history.record(case, "case_withdrawn" if action.status == CaseStatus.WITHDRAWN else "case_terminated",
                       actor, payload={"reason": action.reason})
    return outcome


def _reschedule_timers(case: Case, actor: User | None, running: RunningCase) -> StepResult:
    for move in clocks.timer_moves(case):
        for timer in running.reschedule_timer(move.scheduled, move.corrected):
            history.record(case, clocks.TIMER_RESCHEDULED, actor, step=timer.title, payload={
                "bpmn_id": timer.bpmn_id, "old": move.scheduled.isoformat(), "new": move.corrected.isoformat(),
                "start": move.start, "days": move.days})
    return running.current()


def reschedule_provisional_timers() -> int:
    """After a year was entered or confirmed: every open case with a pending working-day timer that the
    calendar now moves gets a RescheduleTimers step, each in a savepoint (the year's confirmation stands
    whatever one case does). A case in error, moved meanwhile or whose state does not load keeps its timer:
    clocks.review_provisional_timers tells the admins about it. Returns how many cases were stepped."""
    stepped = 0
    for case in clocks.cases_with_provisional_timers():
        if case.status == CaseStatus.ERROR or not clocks.timer_moves(case):
            continue
        try:
            with history.savepoint():
                advance(case, None, RescheduleTimers())
            stepped += 1
        except StateUnreadable as exc:
            db.session.expire(case)  # the savepoint rolled back the version it bumped
            _mark_unreadable_in_savepoint(case, exc)
        except StaleCase:  # a user's step got there first: the timer stays, the admins are told
            db.session.expire(case)
        except Exception:  # the timer stays as scheduled, and the admins are told
            log.exception("rescheduling the timers of case %s failed", case.id)
            db.session.expire(case)
    return stepped


def _mark_unreadable_in_savepoint(case: Case, exc: StateUnreadable) -> None:
    try:
        with history.savepoint():
            _mark_unreadable(case, None, RescheduleTimers(), exc)
    except StaleCase:
        db.session.expire(case)


def _refuse_unreadable(case: Case, actor: User | None, action: Action, exc: StateUnreadable) -> None:
    """The case's state does not load: the action is refused (StateUnreadable, and the caller's transaction
    rolls back), but the case shows 异常 with the problem, written in a transaction of its own and committed,
    like a failing handler leaves it: the admin sees it, repairs the state and retries (cases.retry_case).
    Inside a savepoint the caller owns the transaction and decides (reschedule_provisional_timers)."""
    session = db.session()
    if session.in_nested_transaction():
        return
    session.rollback()  # what this request did so far goes with the refused action
    try:
        with unit_of_work():
            _mark_unreadable(case, actor, action, exc)
    except StaleCase:
        log.info("case %s moved on meanwhile; its unreadable state is reported by that step", case.id)


def _mark_unreadable(case: Case, actor: User | None, action: Action, exc: StateUnreadable) -> None:
    """Put the case into 异常 for an unreadable state, in the current transaction. Its timers stop being
    polled (next_timer_at is recomputed from the state by the retry). Shown once: a second refusal of the
    same problem writes nothing, except an admin's retry, which the history shows."""
    retried = isinstance(action, Retry)
    if (case.status == CaseStatus.ERROR and case.error_message == STATE_UNREADABLE_MESSAGE
            and case.next_timer_at is None and not retried):
        return
    _lock_case(case)
    if retried:
        history.record(case, "retried", actor, step=case.current_step)
    case.status, case.error_message, case.next_timer_at = CaseStatus.ERROR, STATE_UNREADABLE_MESSAGE, None
    cause = exc.__cause__
    history.record(case, "error", actor, step=case.current_step, payload={
        "message": STATE_UNREADABLE_MESSAGE, "code": exc.code, "cause": type(cause).__name__ if cause else None})
    try:
        write_now(db.session(), [case])
        db.session.flush()
    except (StaleDataError, OperationalError) as err:
        raise StaleCase() from err


def _persist(case: Case, actor: User | None, running: RunningCase, result: StepResult,
             completed_task_id: str | None, new_case: bool = False, claim_for: User | None = None) -> StepOutcome:
    """Write what a step changed: task rows, history, case fields, deadlines and the workflow state."""
    new_tasks, all_tasks, reviewed = _project_tasks(case, actor, result, completed_task_id,
                                                    new_case=new_case, claim_for=claim_for)
    open_tasks = [t for t in all_tasks if t.status == TaskStatus.OPEN]
    for step in result.finished:
        kind = HISTORY_KINDS.get(step.kind)
        if kind:
            history.record(case, kind, actor, step=step.title, payload={"bpmn_id": step.bpmn_id})
    _update_case(case, actor, result, open_tasks, reviewed)
    clocks.after_step(case, actor, all_tasks)  # task and case deadlines, pauses, warning/overdue states
    _save_state(case, running, new_case)
    try:
        # The case and its task rows by plain statements (direct_write: the flush's dependency sort
        # costs more than the writes), then whatever else the step changed (clocks, notifications).
        write_now(db.session(), [case, *all_tasks])
        db.session.flush()
    except (StaleDataError, OperationalError) as exc:
        raise StaleCase() from exc
    return StepOutcome(result, new_tasks)


def _update_case(case: Case, actor: User | None, result: StepResult, open_tasks: list[Task],
                 reviewed: bool) -> None:
    case.current_step = "、".join(t.title for t in open_tasks) or "、".join(result.waiting_steps) or None
    case.next_timer_at = result.next_timer_at
    if result.error:
        case.status = CaseStatus.ERROR
        case.error_message = f"{result.error_step or ''}: {result.error}".strip(": ")
        history.record(case, "error", actor, step=result.error_step, payload={"message": result.error})
        return
    case.error_message = None
    if result.completed:
        case.status = CaseStatus.COMPLETED if result.succeeded else CaseStatus.TERMINATED
        case.completed_at = utcnow()
        case.data = {**(case.data or {}), **_plain(result.data)}
        history.record(case, "case_completed", actor, payload={"succeeded": result.succeeded})
    elif open_tasks and all(t.scope == "applicant" for t in open_tasks) and reviewed:
        case.status = CaseStatus.WAITING_FOR_APPLICANT
    else:
        case.status = CaseStatus.RUNNING


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool | list | dict | None)}


def _jurisdiction(scope: str, case: Case) -> tuple[str | None, int | None]:
    if scope == "applicant":
        return None, case.applicant_org_id
    if scope == "province":
        return PROVINCE_CODE, None
    if scope == "case_city":
        return case.region_code[:4] + "00", None
    return case.region_code, None


# Every task row of a case, the case itself being at hand (not joined in again); no history is read.
_TASKS_OF_CASE = (select(Task).where(Task.case_id == bindparam("case")).options(lazyload(Task.case))
                  .execution_options(reads_history=False))


def _project_tasks(case: Case, actor: User | None, result: StepResult, completed_task_id: str | None,
                   new_case: bool = False, claim_for: User | None = None) -> tuple[list[Task], list[Task], bool]:
    """Mirror the engine's ready user tasks into rows: (created, all rows of the case, oldest first,
    whether an authority has acted)."""
    with db.session.no_autoflush:  # loaded rows keep their in-memory changes; written once, at the end
        known: dict[str, Task] = {} if new_case else {
            t.id: t for t in db.session.scalars(_TASKS_OF_CASE, {"case": case.id})}
    ready_ids = {t.id for t in result.ready_tasks}
    now = utcnow()
    for task_id, row in known.items():
        if row.status != TaskStatus.OPEN or task_id in ready_ids:
            continue
        if task_id == completed_task_id:
            row.status, row.completed_at = TaskStatus.COMPLETED, now
            row.completed_by_id = actor.id if actor else None
        else:
            row.status, row.completed_at = TaskStatus.CANCELLED, now
            history.record(case, "task_cancelled", actor, task_id=task_id, step=row.title)
    manifest_tasks = case.procedure_version.manifest["tasks"]
    created = []
    for ready in result.ready_tasks:
        if ready.id in known:
            continue
        meta = manifest_tasks[ready.bpmn_id]
        region, org = _jurisdiction(meta["scope"], case)
        # due_at/warn_at are computed once, by clocks.after_step, from the `dueIn` property
        row = Task(id=ready.id, case=case, bpmn_id=ready.bpmn_id, title=meta["title"],
                   lane=meta["lane"], role=meta["role"], scope=meta["scope"], region_code=region,
                   candidate_org_id=org, form_key=meta["form_key"], status=TaskStatus.OPEN,
                   created_at=now, properties=dict(meta["properties"]))
        db.session.add(row)
        created.append(row)
        history.record(case, "task_created", actor, task_id=ready.id, step=meta["title"])
        if claim_for is not None and is_candidate(claim_for, row):
            row.assignee_id, row.claimed_at = claim_for.id, now
            history.record(case, "task_claimed", claim_for, task_id=row.id, step=row.title)
    reviewed = any(t.status == TaskStatus.COMPLETED and t.scope != "applicant" for t in known.values())
    return created, sorted(known.values(), key=lambda t: t.created_at) + created, reviewed
