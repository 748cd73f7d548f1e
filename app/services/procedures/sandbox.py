"""The sandbox ("try it"): a draft's files, not deployed, run step by step by an analyst who plays every role.

- The files pass deploy's checks first (the same problems, file and element named).
- A run is a `SandboxRun` row, never a case: no row in cases, tasks, history, clocks or the outbox, so no task
  list, dashboard, export, search or outgoing message shows it.
- Its forms are the draft's, validated as on task pages (their choice fields take any value: the analyst has
  no enterprise's projects); the analyst says which role and which person completes each step, and the
  task rules (notSameAs, sameAs) hold between the persons named.
- Handlers (start handler, service tasks, step validators) run against a stand-in case that is never stored,
  each inside a savepoint that is always rolled back: what they read is real, what they write (records,
  outbox messages) is undone; their results go on in the run.
- Runs are deleted with their draft (`delete_draft_runs`) or one by one.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from app.db import dry_run, utcnow
from app.engine import SERIALIZER_VERSION, Definition, RunningCase, StepResult, parse_definition
from app.errors import InvalidForm, NotFound, RuleViolation, TaskNotOpen
from app.extensions import db
from app.models import ROLE_TITLES, Actor, Case, CaseStatus, SandboxRun
from app.policy import require_procedure_analyst
from app.services.procedures import forms
from app.services.procedures.deploy import check_files
from app.services.procedures.registry import HandlerContext, get_handler, get_validator

log = logging.getLogger(__name__)

RUNNING, COMPLETED, TERMINATED, ERROR = "running", "completed", "terminated", "error"
KEEP_RUNS = 20  # per analyst and procedure: older runs are deleted when a new one starts
MAX_STEPS = 500  # a run's log is bounded (a loop tried again and again)
MAX_PERSON = 64


@dataclass(frozen=True)
class OpenTask:
    id: str
    bpmn_id: str
    title: str
    lane: str | None
    role: str | None
    role_title: str | None
    scope: str | None
    form_key: str | None
    form: dict[str, Any] | None
    rules: dict[str, str]


@dataclass(frozen=True)
class RunView:
    id: int
    key: str
    draft_id: int | None
    status: str
    error: str | None
    data: dict[str, Any]
    steps: list[dict[str, Any]]
    persons: dict[str, str]
    open_tasks: list[OpenTask] = field(default_factory=list)


def _role_title(role: str | None) -> str | None:
    return ROLE_TITLES.get(role, role) if role else None


def _stand_in(key: str, manifest: dict[str, Any], actor: Actor, data: dict[str, Any]) -> Case:
    """The case handlers see: never added to the session (a handler that adds it in its savepoint has it
    undone with the savepoint)."""
    return Case(number=f"试运行-{key}", procedure_key=key, status=CaseStatus.RUNNING,
                title=manifest.get("name") or key, applicant_org_id=actor.organisation_id, started_by_id=actor.id,
                region_code=actor.region_code, data=dict(data))


def _log(run: SandboxRun, entry: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    if len(steps) < MAX_STEPS:
        steps.append({"at": utcnow().isoformat(), **entry})


class _Handlers:
    """Handlers of one sandbox step: each in a savepoint always rolled back; what they returned is logged."""

    def __init__(self, case: Case, actor: Actor | None) -> None:
        self.case, self.actor = case, actor
        self.calls: list[dict[str, Any]] = []

    def context(self, data: dict[str, Any]) -> HandlerContext:
        return HandlerContext(case=self.case, actor=self.actor, data=data, session=db.session())

    def service_caller(self) -> Callable[[str, dict[str, Any], dict[str, Any]], Any]:
        def call(name: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
            with dry_run(db.session()):
                result = get_handler(name)(self.context(dict(data)), **params) or {}
                db.session.flush()  # a write the database refuses fails here, as it would in a case
            self.calls.append({"kind": "handler", "handler": name, "result": result})
            return result
        return call

    def start_handler(self, name: str, data: dict[str, Any]) -> None:
        with dry_run(db.session()):
            get_handler(name)(self.context(data))  # it may add derived facts to `data`, or refuse
            db.session.flush()
        self.calls.append({"kind": "start_handler", "handler": name})

    def validator(self, name: str, data: dict[str, Any]) -> dict[str, str]:
        with dry_run(db.session()):
            errors = get_validator(name)(self.context(data))
        return dict(errors or {})


def _engine() -> Any:
    from app.services.steps import ENGINE  # steps imports versions, which imports the deploy

    return ENGINE


def _form(files: dict[str, str], key: str | None) -> dict[str, Any] | None:
    text = files.get(f"forms/{key}.json") if key else None
    return json.loads(text) if text else None


def _apply(run: SandboxRun, running: RunningCase, result: StepResult, handlers: _Handlers,
           steps: list[dict[str, Any]]) -> None:
    for call in handlers.calls:
        _log(run, call, steps)
    for done in result.finished:
        if done.kind != "UserTask":
            _log(run, {"kind": "step", "bpmn_id": done.bpmn_id, "title": done.title, "type": done.kind}, steps)
    if result.data:
        run.data = {**(run.data or {}), **_plain(result.data)}
    if result.error:
        run.status, run.error_message = ERROR, f"{result.error_step or ''}: {result.error}".strip(": ")
        _log(run, {"kind": "error", "message": run.error_message}, steps)
    elif result.completed:
        run.status, run.error_message = (COMPLETED if result.succeeded else TERMINATED), None
        _log(run, {"kind": "completed", "succeeded": result.succeeded}, steps)
    else:
        run.status, run.error_message = RUNNING, None
    run.state = running.dump()
    run.serializer_version = SERIALIZER_VERSION
    run.steps = steps
    run.updated_at = utcnow()


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool | list | dict | None)}


def _prune(actor: Actor, key: str) -> None:
    """Keep an analyst's newest runs of a procedure (the new one is added after)."""
    ids = list(db.session.scalars(select(SandboxRun.id).where(
        SandboxRun.procedure_key == key, SandboxRun.created_by_id == actor.id)
        .order_by(SandboxRun.id.desc()).offset(KEEP_RUNS - 1)))
    if ids:
        db.session.execute(delete(SandboxRun).where(SandboxRun.id.in_(ids)))


def start_run(actor: Actor, key: str, files: dict[str, str], data: dict[str, Any] | None = None,
              draft_id: int | None = None) -> RunView:
    """Check the draft's files as a deploy would (DeployError), validate the start data against its start
    form, run its start handler and its first steps; the run as it stands."""
    require_procedure_analyst(actor)
    bundle = check_files(key, files)
    manifest = bundle.manifest
    start_form = _form(bundle.files, (manifest.get("properties") or {}).get("startForm"))
    if start_form is not None:
        initial = forms.validate(start_form, data or {})
    elif data:
        raise InvalidForm({"_form": "此事项发起时无需填写数据"}, message="此事项发起时不接受数据")
    else:
        initial = {}
    case = _stand_in(key, manifest, actor, initial)
    handlers = _Handlers(case, actor)
    start_handler = (manifest.get("properties") or {}).get("startHandler")
    if start_handler:
        handlers.start_handler(start_handler, initial)
    definition = parse_definition(key, bundle.files)
    running, result = _engine().start(definition, initial, handlers.service_caller())
    _prune(actor, key)
    run = SandboxRun(procedure_key=key, draft_id=draft_id, files=bundle.files, manifest=manifest, state=b"",
                     serializer_version=SERIALIZER_VERSION, status=RUNNING, data=dict(initial), steps=[],
                     persons={}, created_by_id=actor.id)
    steps: list[dict[str, Any]] = []
    _log(run, {"kind": "started", "data": initial, "by": actor.username}, steps)
    _apply(run, running, result, handlers, steps)
    db.session.add(run)
    db.session.flush()
    log.info("sandbox run %s of %s started by %s", run.id, key, actor.username)
    return _view(run, definition, running)


def _get(key: str, run_id: int) -> SandboxRun:
    run = db.session.get(SandboxRun, run_id)
    if run is None or run.procedure_key != key:
        raise NotFound("未找到该试运行", code="sandbox_run_not_found")
    return run


def _load(run: SandboxRun, handlers: _Handlers) -> tuple[Definition, RunningCase]:
    definition = parse_definition(run.procedure_key, run.files)
    running = _engine().load(definition, run.state, run.serializer_version, handlers.service_caller())
    return definition, running


def _view(run: SandboxRun, definition: Definition | None = None, running: RunningCase | None = None) -> RunView:
    if running is None and run.status == RUNNING:
        actor_less = _Handlers(Case(), None)  # nothing runs: no handler is called
        definition, running = _load(run, actor_less)
    tasks: list[OpenTask] = []
    if running is not None and run.status == RUNNING:
        for ready in running.current().ready_tasks:
            meta = (run.manifest.get("tasks") or {}).get(ready.bpmn_id) or {}
            props = meta.get("properties") or {}
            tasks.append(OpenTask(ready.id, ready.bpmn_id, ready.title, ready.lane, meta.get("role"),
                                  _role_title(meta.get("role")), meta.get("scope"), meta.get("form_key"),
                                  _form(run.files, meta.get("form_key")),
                                  {k: str(v) for k, v in props.items()
                                   if k in ("notSameAs", "sameAs", "notifyApplicant", "dueIn", "validator")}))
    return RunView(run.id, run.procedure_key, run.draft_id, run.status, run.error_message, dict(run.data or {}),
                   list(run.steps or []), dict(run.persons or {}), tasks)


def get_run(actor: Actor, key: str, run_id: int) -> RunView:
    require_procedure_analyst(actor)
    return _view(_get(key, run_id))


def list_runs(actor: Actor, key: str, draft_id: int | None = None) -> list[RunView]:
    """The procedure's runs (of one draft), newest first, without their open tasks."""
    require_procedure_analyst(actor)
    query = select(SandboxRun).where(SandboxRun.procedure_key == key)
    if draft_id is not None:
        query = query.where(SandboxRun.draft_id == draft_id)
    return [RunView(r.id, r.procedure_key, r.draft_id, r.status, r.error_message, dict(r.data or {}),
                    list(r.steps or []), dict(r.persons or {}))
            for r in db.session.scalars(query.order_by(SandboxRun.id.desc()).limit(100))]


def _check_rules(run: SandboxRun, meta: dict[str, Any], title: str, person: str) -> None:
    """notSameAs / sameAs between the persons the analyst named (the real rules hold between users)."""
    props = meta.get("properties") or {}
    tasks = run.manifest.get("tasks") or {}
    earlier = str(props.get("notSameAs") or "").strip()
    if earlier and (run.persons or {}).get(earlier) == person:
        other = (tasks.get(earlier) or {}).get("title") or earlier
        raise RuleViolation(f"按“四眼原则”，办理过“{other}”的人员不能办理“{title}”，请由其他人员办理",
                            code="four_eyes", details={"step": earlier})
    same = str(props.get("sameAs") or "").strip()
    if same and (run.persons or {}).get(same) not in (None, person):
        other = (tasks.get(same) or {}).get("title") or same
        raise RuleViolation(f"按规则，“{title}”由办理“{other}”的 {run.persons[same]} 办理",
                            code="same_as", details={"step": same, "person": run.persons[same]})


def complete_task(actor: Actor, key: str, run_id: int, task_id: str, data: dict[str, Any],
                  role: str | None = None, person: str | None = None) -> RunView:
    """Complete one open step of the run as `role` (the lane's, if given) and `person` (a name standing for
    the user; default the analyst), its form validated as on the task page; the run moves on."""
    require_procedure_analyst(actor)
    run = _get(key, run_id)
    if run.status != RUNNING:
        raise TaskNotOpen("该试运行已结束")
    case = _stand_in(key, run.manifest, actor, run.data or {})
    handlers = _Handlers(case, actor)
    definition, running = _load(run, handlers)
    ready = next((t for t in running.current().ready_tasks if t.id == task_id), None)
    if ready is None:
        raise TaskNotOpen()
    meta = (run.manifest.get("tasks") or {}).get(ready.bpmn_id) or {}
    if role and role != meta.get("role"):
        raise RuleViolation(f"“{ready.title}”由{_role_title(meta.get('role')) or '其他角色'}办理",
                            code="sandbox_wrong_role", details={"role": meta.get("role")})
    who = (person or actor.username).strip()[:MAX_PERSON] or actor.username
    _check_rules(run, meta, ready.title, who)
    schema = _form(run.files, meta.get("form_key")) or {"type": "object"}
    cleaned = forms.validate(schema, data)
    validator = (meta.get("properties") or {}).get("validator")
    if validator:
        errors = handlers.validator(validator, cleaned)
        if errors:
            raise InvalidForm(errors)
    result = running.complete_task(task_id, {**dict.fromkeys(schema.get("properties") or {}), **cleaned})
    steps = list(run.steps or [])
    _log(run, {"kind": "task_completed", "bpmn_id": ready.bpmn_id, "title": ready.title,
               "role": meta.get("role"), "person": who, "data": cleaned}, steps)
    run.persons = {**(run.persons or {}), ready.bpmn_id: who}
    run.data = {**(run.data or {}), **cleaned}
    _apply(run, running, result, handlers, steps)
    db.session.flush()
    return _view(run, definition, running)


def delete_run(actor: Actor, key: str, run_id: int) -> None:
    require_procedure_analyst(actor)
    db.session.delete(_get(key, run_id))
    db.session.flush()


def delete_draft_runs(draft_id: int) -> int:
    """Delete every run of a draft (called when the draft is deleted); how many there were."""
    ids = list(db.session.scalars(select(SandboxRun.id).where(SandboxRun.draft_id == draft_id)))
    if ids:
        db.session.execute(delete(SandboxRun).where(SandboxRun.id.in_(ids)))
    return len(ids)


def delete_runs_of_draft(actor: Actor, key: str, draft_id: int) -> int:
    """An analyst deletes the runs of one draft of the procedure; how many there were."""
    require_procedure_analyst(actor)
    ids = list(db.session.scalars(select(SandboxRun.id).where(SandboxRun.draft_id == draft_id,
                                                              SandboxRun.procedure_key == key)))
    if ids:
        db.session.execute(delete(SandboxRun).where(SandboxRun.id.in_(ids)))
    return len(ids)
