"""The one step pipeline: load state -> engine -> project tasks -> deadlines -> history -> save state.

Every way a case moves (start, form completed, timer fired, retry, withdrawal, migration to another version of
its procedure) goes through `advance` or `start`, inside the caller's unit of work, with plain ORM objects: the
case, its workflow state row, its task rows, history events and clocks are changed in memory and written by one
flush at the end (the caller's unit of work commits). The case's optimistic `lock_version` is checked and bumped
by its first write: the flush before the first service-task handler runs, or that final flush; a concurrent
step on the same case loses there with 409 (a conflict found before a handler aborts the step: it is not the
handler's failure), and from then on this transaction holds the row.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.db import attempt, utcnow
from app.engine import SERIALIZER_VERSION, AbortStep, Engine, RunningCase, StateUnreadable, StepResult
from app.errors import MigrationRefused, StaleCase
from app.extensions import db
from app.models import Actor, Case, CaseStatus, ProcedureVersion, Task, TaskStatus, User, WorkflowState
from app.policy import is_candidate
from app.services.cases import history, subjects
from app.services.deadlines import clocks, timer_functions
from app.services.deadlines.calendar import WorkCalendar, current_calendar
from app.services.procedures.registry import HandlerContext, get_handler
from app.services.procedures.versions import definition_of, label_of, manifest_of
from app.services.tasks import rows, rules

# History kinds of the steps the engine finished by themselves (user tasks are recorded by the services).
HISTORY_KINDS = {"ServiceTask": "handler_ran", "ScriptTask": "step_finished", "EndEvent": "step_finished",
                 "BusinessRuleTask": "step_finished"}
EVENT_HISTORY_KINDS = {"timer": "timer_fired", "message": "message_received", "signal": "signal_received",
                       "error": "error_caught", "escalation": "escalation_caught",
                       "conditional": "condition_met"}
CATCH_EVENT_TYPES = {"BoundaryEvent", "IntermediateCatchEvent", "StartEvent"}

# a case in 异常 stores its failed step and the error (a handler's Message as its Chinese) as this text: the API
# answers it as it is, the English pages read it back by it (app/services/stored_texts.py)
STEP_ERROR = "{step}: {error}"
STATE_UNREADABLE_MESSAGE = "流程数据无法读取（保存的流程状态已损坏或无法解析），请修复后由管理员重试"


ENGINE = Engine({"add_working_days": timer_functions.add_working_days, "end_of_day": timer_functions.end_of_day,
                 "now": timer_functions.now})


@dataclass
class CompleteTask:
    """A user task completed with `data`; `title` and `submitted` (the cleaned form and what it changed) are
    recorded as its task_completed event."""

    task_id: str
    data: dict[str, Any]
    title: str | None = None
    submitted: dict[str, Any] | None = None


@dataclass
class FireTimers:
    pass


@dataclass
class Retry:
    pass


@dataclass
class ReceiveMessage:
    """A message from outside the case (an external system's acknowledgement, services/exchange) for the catch
    event that waits for it by name; the payload lands in the event's messageVariable."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Cancel:
    status: CaseStatus = CaseStatus.WITHDRAWN
    reason: str = ""


@dataclass
class Migrate:
    """Move the case onto another version of its procedure (services/procedures/migration.py chooses the cases
    and checks their data): nothing runs; its open tasks keep their rows, claims and deadlines (by bpmn id,
    through `mapping` for renamed steps), its timers their moments; a step in error stays so until retried."""

    version_id: int
    mapping: dict[str, str] = field(default_factory=dict)


Action = CompleteTask | FireTimers | Retry | ReceiveMessage | Cancel | Migrate


@dataclass
class StepOutcome:
    """What a step did: the engine's result, the task rows it created, the case's open task rows after it
    (oldest first: what the services that follow the step ask of the case's tasks, without reading them again)
    and the step's calendar (read at most once, shared by what follows the step in the same request)."""

    result: StepResult
    new_tasks: list[Task] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)
    calendar: Callable[[], WorkCalendar] = current_calendar


@dataclass
class Step:
    """One step of one case: who acts, and what the step's script functions noted on the way (working-day
    timers counted on a provisional calendar); the calendar is read once, when first needed."""

    case: Case
    actor: Actor | None
    state: WorkflowState
    provisional_timers: list[dict[str, Any]] = field(default_factory=list)
    read_calendar: Callable[[], WorkCalendar] = current_calendar
    _calendar: WorkCalendar | None = None

    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = self.read_calendar()
        return self._calendar

    def script_functions(self) -> dict[str, Callable[..., Any]]:
        return {"add_working_days": self._add_working_days}

    def _add_working_days(self, start: str, days: int) -> str:
        """For timers in diagrams: close of business on the Nth working day after `start` (ISO), counted
        exactly as task deadlines are; a result that crossed a year the calendar does not know is
        provisional: recorded on the case and the admins are alerted (clocks.record_provisional_timers)."""
        due, provisional, begin = timer_functions.working_days_after(start, days, self.calendar())
        if provisional:
            self.provisional_timers.append(clocks.provisional_timer(self.calendar(), begin, int(days), due))
        return due.isoformat()

    def service_caller(self) -> Callable[[str, dict[str, Any], dict[str, Any]], Any]:
        def call(name: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
            handler = get_handler(name)
            context = HandlerContext(case=self.case, actor=self.actor, data=data, session=db.session())
            try:  # the step's changes so far, the case's version among them, before the handler acts
                db.session.flush()
            except StaleDataError as conflict:
                raise AbortStep() from conflict
            # A savepoint per handler: a failing handler leaves nothing half-applied (the ORM expires what
            # the savepoint undid, the case included, and reloads it when next read).
            with attempt(db.session()):
                return handler(context, **params) or {}
        return call


def start(case: Case, actor: Actor | None, data: dict[str, Any], claim_for: Actor | None = None) -> StepOutcome:
    """Create the workflow of a new case (added, not necessarily written yet) and run it to its first wait;
    a first task that `claim_for` may do is claimed by them (the applicant's own form)."""
    state = WorkflowState(state=b"", serializer_version=SERIALIZER_VERSION)
    case.workflow_state = state  # written with the case (a case not written yet has nothing to replace)
    step = Step(case, actor, state)
    running, result = ENGINE.start(definition_of(case.procedure_version_id), data, step.service_caller(),
                                   step.script_functions())
    history.record(case, "case_started", actor, payload={"procedure": case.procedure_key})
    return _persist(step, running, result, None, new_case=True, claim_for=claim_for)


def _touch(case: Case, data: dict[str, Any] | None) -> None:
    """The case is written by this step (its version bumped), with a submitted form's merged data, which the
    handlers read."""
    case.updated_at = utcnow()
    if data is not None:
        case.data = data


def _state_of(case: Case) -> WorkflowState:
    state = case.workflow_state  # loaded with the case by the callers (STEP_LOADING)
    if state is None:
        raise RuntimeError(f"case {case.id} has no workflow state")
    return state


def step_loading(case: Any = None) -> tuple[Any, ...]:
    """Loader options for a case about to be stepped (`case`: the path to it, e.g. Task.case): its workflow
    state and its clock joined in, so the step reads them with the case, in one statement."""
    path = joinedload(case) if case is not None else None
    return tuple(path.joinedload(rel) if path is not None else joinedload(rel)
                 for rel in (Case.workflow_state, Case.clock))


def advance(case: Case, actor: Actor | None, action: Action, open_tasks: list[Task] | None = None,
            calendar: Callable[[], WorkCalendar] = current_calendar) -> StepOutcome:
    """Apply one action to a case and persist everything it changed (load it with step_loading()).
    `open_tasks`: the case's open task rows, when the caller read them already in this transaction (with the
    case, in one statement): the step does not read them again. `calendar`: how the step gets the working-day
    calendar, if it needs it (a caller that read the calendar's signature already: calendar.calendar_of)."""
    _touch(case, {**(case.data or {}), **action.data} if isinstance(action, CompleteTask) else None)
    if isinstance(action, CompleteTask) and action.submitted is not None:  # written with the step's own events
        history.record(case, "task_completed", actor, task_id=action.task_id, step=action.title,
                       payload=action.submitted)
    state = _state_of(case)
    step = Step(case, actor, state, read_calendar=calendar)
    try:
        running = ENGINE.load(definition_of(case.procedure_version_id), state.state, state.serializer_version,
                              step.service_caller(), step.script_functions())
    except StateUnreadable as exc:
        exc.after_rollback = _unreadable_recorder(case.id, actor.id if actor else None, isinstance(action, Retry))
        raise
    if isinstance(action, Migrate):
        return _migrate(step, running, action)
    try:
        result = _run(case, actor, running, action)
    except AbortStep as abort:
        raise StaleCase() from abort.__cause__
    completed_task_id = action.task_id if isinstance(action, CompleteTask) else None
    return _persist(step, running, result, completed_task_id, cancel=action if isinstance(action, Cancel) else None,
                    open_before=open_tasks)


def waits_for_message(case: Case, name: str) -> bool:
    """Whether the case waits for the message `name` now (its state read, nothing changed)."""
    state = _state_of(case)
    try:
        running = ENGINE.load(definition_of(case.procedure_version_id), state.state, state.serializer_version,
                              Step(case, None, state).service_caller())
    except StateUnreadable:
        return False
    return running.waits_for_message(name)


def migration_problems(case: Case, version_id: int, mapping: dict[str, str]) -> list[str]:
    """Why the case could not move onto the version (none: it can), tried on a copy of its workflow that is
    thrown away; nothing of the case changes."""
    state = _state_of(case)
    try:
        running = ENGINE.load(definition_of(case.procedure_version_id), state.state, state.serializer_version,
                              Step(case, None, state).service_caller())
    except StateUnreadable:
        return [STATE_UNREADABLE_MESSAGE]
    return running.migrate(definition_of(version_id), mapping)


def _migrate(step: Step, running: RunningCase, action: Migrate) -> StepOutcome:
    case = step.case
    problems = running.migrate(definition_of(action.version_id), action.mapping)
    if problems:
        raise MigrationRefused(problems)
    (_name, source), (_same, target) = label_of(case.procedure_version_id), label_of(action.version_id)
    version = db.session.get(ProcedureVersion, action.version_id)
    assert version is not None  # label_of found it
    case.procedure_version, case.procedure_version_id = version, version.id
    history.record(case, "case_migrated", step.actor, step=case.current_step,
                   payload={"from_version": source, "to_version": target, "mapping": dict(action.mapping)})
    result = running.current()
    with db.session.no_autoflush:
        rows.retarget_open_rows(case, db.session.scalars(_OPEN_TASKS_OF_CASE, {"case": case.id}), result.ready_tasks,
                                action.mapping, manifest_of(action.version_id)["tasks"])
    return _persist(step, running, result, None, migrated=True)


def _run(case: Case, actor: Actor | None, running: RunningCase, action: Action) -> StepResult:
    if isinstance(action, CompleteTask):
        return running.complete_task(action.task_id, action.data)
    if isinstance(action, FireTimers):
        return running.fire_timers()
    if isinstance(action, Retry):
        history.record(case, "retried", actor, step=case.current_step)
        return running.retry()
    if isinstance(action, ReceiveMessage):
        return running.receive_message(action.name, action.payload)
    return running.cancel()


def _unreadable_recorder(case_id: int, actor_id: int | None, retried: bool) -> Callable[[], None]:
    """What a refused action on a case whose state does not load leaves behind, in a transaction of its own
    after the rollback: the case in 异常 with the problem, so that an admin sees it, repairs the state and
    retries (cases.retry_case). Shown once: a second refusal of the same problem writes nothing, except an
    admin's retry, which the history shows. Its timers stop being polled until then."""
    def record() -> None:
        case = db.session.get(Case, case_id)
        actor = db.session.get(User, actor_id) if actor_id is not None else None
        if case is None:
            return
        if (case.status == CaseStatus.ERROR and case.error_message == STATE_UNREADABLE_MESSAGE
                and case.next_timer_at is None and not retried):
            return
        if retried:
            history.record(case, "retried", actor, step=case.current_step)
        case.status, case.error_message, case.next_timer_at = CaseStatus.ERROR, STATE_UNREADABLE_MESSAGE, None
        case.updated_at = utcnow()
        history.record(case, "error", actor, step=case.current_step, payload={
            "message": STATE_UNREADABLE_MESSAGE, "code": StateUnreadable.code})
    return record


def _persist(step: Step, running: RunningCase, result: StepResult, completed_task_id: str | None,
             new_case: bool = False, claim_for: Actor | None = None, cancel: Cancel | None = None,
             migrated: bool = False, open_before: list[Task] | None = None) -> StepOutcome:
    """Write what a step changed: task rows, history, case fields, deadlines and the workflow state, in
    memory (its reads do not flush the step's half-made changes), then in one flush."""
    case, actor = step.case, step.actor
    with db.session.no_autoflush:
        new_tasks, touched, reviewed = _project_tasks(step, result, completed_task_id, new_case, claim_for,
                                                      open_before)
        open_tasks = [t for t in touched if t.status == TaskStatus.OPEN]
        for finished in result.finished:
            kind = _history_kind(finished.kind, finished.event_kind)
            if kind:
                history.record(case, kind, actor, step=finished.title, payload={"bpmn_id": finished.bpmn_id})
        if cancel is not None:
            _cancel_case(case, actor, cancel)
        elif migrated:  # its status (an error included) stays as it was: nothing ran
            case.current_step = "、".join(t.title for t in open_tasks) or "、".join(result.waiting_steps) or None
            case.next_timer_at = result.next_timer_at
        else:
            _update_case(case, actor, result, open_tasks, reviewed)
        if case.status not in (CaseStatus.RUNNING, CaseStatus.WAITING_FOR_APPLICANT, CaseStatus.ERROR):
            subjects.release(case)
        # deadlines, pauses, warning/overdue states
        clocks.after_step(case, actor, touched, step.calendar, new_case=new_case)
        clocks.record_provisional_timers(case, step.provisional_timers)
        step.state.state, step.state.serializer_version = running.dump(), SERIALIZER_VERSION
    db.session.flush()
    rules.notify_applicant(case, new_tasks)
    return StepOutcome(result, new_tasks, open_tasks, step.calendar)


def _history_kind(kind: str, event: str | None) -> str | None:
    """A finished catch event is told by its event (a timer fired, a message arrived ...)."""
    if kind in CATCH_EVENT_TYPES:
        return EVENT_HISTORY_KINDS.get(event or "")
    return HISTORY_KINDS.get(kind)


def _cancel_case(case: Case, actor: Actor | None, cancel: Cancel) -> None:
    """A withdrawal (or termination) is only that: the case closes without 办结 and without completed_at."""
    case.status, case.current_step, case.next_timer_at, case.error_message = cancel.status, None, None, None
    history.record(case, "case_withdrawn" if cancel.status == CaseStatus.WITHDRAWN else "case_terminated",
                   actor, payload={"reason": cancel.reason})


def _update_case(case: Case, actor: Actor | None, result: StepResult, open_tasks: list[Task],
                 reviewed: bool) -> None:
    case.current_step = "、".join(t.title for t in open_tasks) or "、".join(result.waiting_steps) or None
    case.next_timer_at = result.next_timer_at
    if case.timer_failures:  # the case moved: earlier failures of its timer job are behind it
        case.timer_failures, case.timer_retry_at = 0, None
    if result.error:
        case.status = CaseStatus.ERROR
        case.error_message = STEP_ERROR.format(step=result.error_step or "", error=result.error).strip(": ")
        history.record(case, "error", actor, step=result.error_step, payload={"message": result.error})
        return
    case.error_message = None
    if result.completed:
        case.status = CaseStatus.COMPLETED if result.succeeded else CaseStatus.TERMINATED
        case.completed_at = utcnow()
        case.finished_at = case.finished_at or case.completed_at  # a decision before it keeps its moment
        case.data = {**(case.data or {}), **_plain(result.data)}
        history.record(case, "case_completed", actor, payload={"succeeded": result.succeeded})
    elif open_tasks and all(t.scope == "applicant" for t in open_tasks) and reviewed:
        case.status = CaseStatus.WAITING_FOR_APPLICANT
    else:
        case.status = CaseStatus.RUNNING


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool | list | dict | None)}


def _close_tasks(step: Step, known: dict[str, Task], ready_ids: set[str], completed_task_id: str | None,
                 now: datetime) -> None:
    for task_id, row in known.items():
        if row.status != TaskStatus.OPEN or task_id in ready_ids:
            continue
        if task_id == completed_task_id:
            row.status, row.completed_at = TaskStatus.COMPLETED, now
            row.completed_by_id = step.actor.id if step.actor else None
        else:
            row.status, row.completed_at = TaskStatus.CANCELLED, now
            history.record(step.case, "task_cancelled", step.actor, task_id=task_id, step=row.title)


# The open task rows of a case (what a step may close or find ready again), the case itself being at hand
# (not joined in again); built once. Tasks closed earlier are not read: a long case has many.
_OPEN_TASKS_OF_CASE = (select(Task).where(Task.case_id == bindparam("case"), Task.status == TaskStatus.OPEN)
                       .options(lazyload(Task.case)))


def _project_tasks(step: Step, result: StepResult, completed_task_id: str | None, new_case: bool,
                   claim_for: Actor | None,
                   open_before: list[Task] | None = None) -> tuple[list[Task], list[Task], bool]:
    """Mirror the engine's ready user tasks into rows: (created, the rows this step touched: those open before
    it, oldest first, and the created ones, whether the application had reached an authority). `open_before`:
    the case's open rows as the caller read them (in any order, as _OPEN_TASKS_OF_CASE returns them), or None
    to read them here."""
    case = step.case
    if new_case:
        known: dict[str, Task] = {}
    elif open_before is not None:  # as the query would: those still open (a handler may have closed one)
        known = {t.id: t for t in open_before if t.status == TaskStatus.OPEN}
    else:
        known = {t.id: t for t in db.session.scalars(_OPEN_TASKS_OF_CASE, {"case": case.id})}
    now = utcnow()
    _close_tasks(step, known, {t.id for t in result.ready_tasks}, completed_task_id, now)
    manifest_tasks = manifest_of(case.procedure_version_id)["tasks"]
    created = []
    for ready in result.ready_tasks:
        if ready.id in known:
            continue
        meta = manifest_tasks[ready.bpmn_id]
        region, org = rows.jurisdiction(meta["scope"], case)
        # due_at/warn_at are computed once, by clocks.after_step, from the `dueIn` property
        row = Task(id=ready.id, case=case, bpmn_id=ready.bpmn_id, title=meta["title"],
                   lane=meta["lane"], role=meta["role"], scope=meta["scope"], region_code=region,
                   candidate_org_id=org, form_key=meta["form_key"], status=TaskStatus.OPEN,
                   created_at=now, properties=dict(meta["properties"]))
        db.session.add(row)
        created.append(row)
        history.record(case, "task_created", step.actor, task_id=ready.id, step=meta["title"])
        if claim_for is not None and is_candidate(claim_for, row):
            row.assignee_id, row.claimed_at = claim_for.id, now
            history.record(case, "task_claimed", claim_for, task_id=row.id, step=row.title)
        rules.assign_same_as(case, row, known.values(), step.actor)
        rules.continue_with_reviewer(case, row, known.values(), step.actor)
    # Applicant tasks alone after the application reached an authority: the case waits for the applicant.
    reviewed = case.received_at is not None
    return created, sorted(known.values(), key=lambda t: t.created_at) + created, reviewed
