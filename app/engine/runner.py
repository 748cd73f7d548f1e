"""Run cases: create, load, complete a user task, fire timers, retry, cancel -> StepResult.

"How far to run" lives here; "what to persist" is the caller's (services/steps.py).
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import (
    ConditionalEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
    MessageEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition as SpiffMessageEventDefinition
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.engine import migration, serializer
from app.engine.scripting import ScriptBudgetExceeded, ScriptError, ServiceCaller, make_script_engine
from app.engine.timers import read_timers
from app.engine.xml import parse_xml

# The library logs every state change at INFO with task data attached (personal data, ~6 % CPU).
for _name in ("spiff", "spiff.task", "spiff.workflow", "spiff.dmn", "spiff.metrics"):
    logging.getLogger(_name).setLevel(logging.WARNING)

WAITING_STEP_TYPES = {"IntermediateCatchEvent", "ReceiveTask"}  # what a case can be waiting on, by name
MAX_TASK_DEPTH = 500  # loops deepen the task tree; past ~1000 the library silently stalls


@dataclass(frozen=True)
class ReadyTask:
    id: str
    bpmn_id: str
    title: str
    lane: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class FinishedStep:
    """A BPMN element the step completed.

    `kind` is the element's type (UserTask, ServiceTask, ScriptTask, ExclusiveGateway, StartEvent, EndEvent,
    BoundaryEvent, IntermediateCatchEvent, ...). `event_kind` says, for an event, what it was triggered or
    defined by: "timer", "message", "error", "signal", "escalation" or "conditional"; None for anything else
    (tasks, gateways, plain start/end events, terminate/cancel/multiple event definitions). A boundary event
    or catch event that fired because its timer was due is kind "BoundaryEvent"/"IntermediateCatchEvent"
    with event_kind "timer"; one that caught a message has event_kind "message".
    """

    bpmn_id: str
    title: str
    kind: str
    event_kind: str | None = None


# Checked in this order; the spiff flavour's classes derive from these.
_EVENT_KINDS: tuple[tuple[type, str], ...] = (
    (TimerEventDefinition, "timer"), (MessageEventDefinition, "message"), (ErrorEventDefinition, "error"),
    (SignalEventDefinition, "signal"), (EscalationEventDefinition, "escalation"),
    (ConditionalEventDefinition, "conditional"),
)


def finished_step(task_spec: Any) -> FinishedStep:
    """The FinishedStep reported for a completed task of this (BPMN) task spec."""
    definition = getattr(task_spec, "event_definition", None)
    event_kind = next((name for cls, name in _EVENT_KINDS if isinstance(definition, cls)), None)
    return FinishedStep(task_spec.bpmn_id, task_spec.bpmn_name or task_spec.bpmn_id, type(task_spec).__name__,
                        event_kind)


@dataclass
class StepResult:
    ready_tasks: list[ReadyTask] = field(default_factory=list)
    finished: list[FinishedStep] = field(default_factory=list)
    next_timer_at: datetime | None = None
    completed: bool = False
    succeeded: bool = True
    error: str | None = None
    error_step: str | None = None
    waiting_steps: list[str] = field(default_factory=list)  # catch events waited on when no task is ready
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Definition:
    """A parsed procedure version, cached per worker process."""

    spec: Any
    subprocess_specs: dict[str, Any]


_DEFINITIONS: OrderedDict[int, Definition] = OrderedDict()  # per worker process, by version id
_DEFINITIONS_LOCK = threading.Lock()
_DEFINITIONS_MAX = 128


def _parse(process_id: str, files: dict[str, str]) -> Definition:
    parser = SpiffBpmnParser()  # validated at deploy; not again on every worker start
    for name, text in sorted(files.items()):
        if name.endswith(".bpmn"):
            parser.add_bpmn_xml(parse_xml(text.encode("utf-8")), filename=name)
        elif name.endswith(".dmn"):
            parser.add_dmn_xml(parse_xml(text.encode("utf-8")), filename=name)
    return Definition(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


def parse_definition(process_id: str, files: dict[str, str]) -> Definition:
    """The parsed spec of files not deployed (a draft tried in the sandbox): never cached."""
    return _parse(process_id, files)


def load_definition(version_id: int, process_id: str, files: Callable[[], dict[str, str]]) -> Definition:
    """The parsed spec of a version; `files` is only called (and the XML only read) on a cache miss."""
    with _DEFINITIONS_LOCK:
        cached = _DEFINITIONS.get(version_id)
        if cached is not None:
            _DEFINITIONS.move_to_end(version_id)
            return cached
    definition = _parse(process_id, files())
    with _DEFINITIONS_LOCK:
        _DEFINITIONS[version_id] = definition
        while len(_DEFINITIONS) > _DEFINITIONS_MAX:
            _DEFINITIONS.popitem(last=False)
    return definition


def clear_definition_cache() -> None:
    """Forget parsed specs (tests use it to simulate a fresh worker process)."""
    with _DEFINITIONS_LOCK:
        _DEFINITIONS.clear()


class RunningCase:
    """One workflow object for one request: never shared between threads or requests."""

    def __init__(self, workflow: Any) -> None:
        self._wf = workflow
        self._finished: list[FinishedStep] = []

    # -- actions -------------------------------------------------------------------------------
    def run(self) -> StepResult:
        """Run engine steps until only human tasks, timers and events are left."""
        return self._guarded(lambda: None)

    def complete_task(self, task_id: str, data: dict[str, Any]) -> StepResult:
        def act() -> None:
            task = self._ready_user_task(task_id)
            task.set_data(**data)
            task.run()
            self._record(task)
        return self._guarded(act)

    def fire_timers(self) -> StepResult:
        return self._guarded(self._wf.refresh_timers)

    def retry(self) -> StepResult:
        """Reset every task in ERROR to READY and run again (after an admin fixed the cause)."""
        def act() -> None:
            for task in self._wf.get_tasks(state=TaskState.ERROR):
                self._wf.reset_from_task_id(task.id)
        return self._guarded(act)

    def reschedule_timers(self) -> StepResult | None:
        """Evaluate the waiting date timers again from their start, on the step's functions (the calendar as it
        is now: a working-day timer follows a day declared a holiday or taken back); nothing runs. The case as
        it then stands when a timer moved, else None."""
        engine = self._wf.script_engine
        moved = False
        for task in self._wf.get_tasks(state=TaskState.WAITING):
            if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
                moved = engine.reschedule_timer(task) or moved
        return self._result() if moved else None

    def waits_for_message(self, name: str) -> bool:
        """Whether a catch event of the case waits for the message `name` now."""
        return any(event.name == name and event.event_type == "MessageEventDefinition"
                   for event in self._wf.waiting_events())

    def receive_message(self, name: str, payload: dict[str, Any]) -> StepResult:
        """Deliver a message to the catch event waiting for it (its messageVariable gets the payload) and run
        on; nothing happens when none waits (the library's catch ignores it)."""
        return self._guarded(lambda: self._wf.catch(BpmnEvent(SpiffMessageEventDefinition(name), payload=payload)))

    def cancel(self) -> StepResult:
        self._wf.cancel()
        return self._result()

    def migrate(self, target: Definition, mapping: dict[str, str]) -> list[str]:
        """Move the case onto another version's definition (engine/migration.py), nothing run; the reasons it
        cannot (then discard this object)."""
        return migration.migrate(self._wf, target, mapping, self._wf.script_engine)

    # -- queries -------------------------------------------------------------------------------
    def current(self) -> StepResult:
        """The case as it stands, without running anything."""
        return self._result()

    def dump(self) -> bytes:
        return serializer.dump_state(self._wf)

    # -- internals -----------------------------------------------------------------------------
    def _ready_user_task(self, task_id: str) -> Any:
        try:
            task = self._wf.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException) as exc:
            raise LookupError(task_id) from exc
        if task is None or task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
            raise LookupError(task_id)
        return task

    def _record(self, task: SpiffTask) -> None:
        if getattr(task.task_spec, "bpmn_id", None):
            self._finished.append(finished_step(task.task_spec))

    def _guarded(self, act: Callable[[], None]) -> StepResult:
        unreadable = read_timers(self._wf).problem
        if unreadable is not None:  # the library would fail comparing it with the clock: nothing runs
            result = self._result()
            result.error, result.error_step = unreadable.message, unreadable.step
            return result
        try:
            act()
            # do_engine_steps ends with refresh_timers(); a second pass runs what a due timer made ready.
            self._wf.do_engine_steps(did_complete_task=self._record)
            self._wf.do_engine_steps(did_complete_task=self._record)
        except SpiffWorkflowException as exc:
            task = getattr(exc, "task", None)
            step = getattr(getattr(task, "task_spec", None), "bpmn_name", None) or getattr(
                getattr(task, "task_spec", None), "bpmn_id", None)
            cause = exc.__cause__ or getattr(exc, "exception", None)
            if isinstance(exc.__context__, ScriptBudgetExceeded | ScriptError):  # our own message, said plainly
                cause = exc.__context__
            message = str(cause) if cause is not None and str(cause) else _plain_message(exc)
            result = self._result()
            result.error, result.error_step = message, step
            return result
        return self._result()

    def _result(self) -> StepResult:
        ready = [t for t in self._wf.get_tasks(state=TaskState.READY)
                 if isinstance(t.task_spec, UserTask)]
        depth = max((t.depth for t in ready), default=0)
        errors = self._wf.get_tasks(state=TaskState.ERROR)
        completed = bool(self._wf.is_completed())  # walks the task tree: asked once
        timers = read_timers(self._wf)
        result = StepResult(
            ready_tasks=[ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                                   t.task_spec.lane, dict(t.data)) for t in ready],
            finished=list(self._finished),
            next_timer_at=timers.next_at,
            completed=completed,
            succeeded=bool(self._wf.success) if completed else True,
            data=dict(self._wf.data) if completed else _latest_data(ready),
        )
        if not ready and not completed:  # e.g. "临时解锁中" until a timer fires
            result.waiting_steps = [t.task_spec.bpmn_name for t in self._wf.get_tasks(state=TaskState.WAITING)
                                    if type(t.task_spec).__name__ in WAITING_STEP_TYPES and t.task_spec.bpmn_name]
        if timers.problem is not None:
            result.error, result.error_step = timers.problem.message, timers.problem.step
        if errors:
            result.error = "流程步骤出错"
            result.error_step = errors[0].task_spec.bpmn_name or errors[0].task_spec.bpmn_id
        if depth > MAX_TASK_DEPTH:
            result.error = f"流程循环次数过多 (task depth {depth})"
        self._finished = []
        return result


def _plain_message(exc: SpiffWorkflowException) -> str:
    """The library's own message (English, e.g. "Error evaluating expression '…'") said in Chinese, with the
    error that caused it (a KeyError of a condition reading a key a result lacks)."""
    original = exc.__context__
    if isinstance(original, Exception) and not isinstance(original, SpiffWorkflowException):
        return f"流程条件或脚本执行出错：{type(original).__name__}: {str(original)[:300]}（{str(exc).strip()[:300]}）"
    return f"流程执行出错：{str(exc).strip()[:500]}"


def _latest_data(ready: list[Any]) -> dict[str, Any]:
    return dict(ready[-1].data) if ready else {}


class Engine:
    """Composition root of the workflow engine: script functions and service handlers injected."""

    def __init__(self, script_functions: dict[str, Callable[..., Any]]) -> None:
        self.script_functions = script_functions

    def _functions(self, step_functions: dict[str, Callable[..., Any]] | None) -> dict[str, Callable[..., Any]]:
        """The script functions of one step: the engine's own, and those bound to the step (its calendar)."""
        return {**self.script_functions, **(step_functions or {})}

    def start(self, definition: Definition, data: dict[str, Any], service_caller: ServiceCaller,
              step_functions: dict[str, Callable[..., Any]] | None = None) -> tuple[RunningCase, StepResult]:
        engine = make_script_engine(self._functions(step_functions), service_caller)
        wf = BpmnWorkflow(definition.spec, definition.subprocess_specs, script_engine=engine)
        wf.task_tree.data.update(data)
        case = RunningCase(wf)
        return case, case.run()

    def load(self, definition: Definition, blob: bytes, version: str, service_caller: ServiceCaller,
             step_functions: dict[str, Callable[..., Any]] | None = None) -> RunningCase:
        # The script engine is not serialized: ours is attached on every load, never the default.
        engine = make_script_engine(self._functions(step_functions), service_caller)
        wf = serializer.load_state(blob, version, definition.spec, definition.subprocess_specs, engine)
        return RunningCase(wf)
