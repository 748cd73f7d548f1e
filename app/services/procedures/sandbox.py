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
- A run tries posted files or a saved draft (`procedure_drafts`); runs are deleted with their draft (deleted or
  deployed: drafts.py calls `delete_draft_runs`) or one by one.
- Every start, step and deletion is written to the audit log (who, which procedure, draft and run, the applicant).

The applicant of a run (policy). A procedure's choices and handlers read the applicant's own records: the unlock
request lists the enterprise's locked persons, its validator and handlers read those locks. The analyst may
choose a real applicant enterprise (or construction unit) for a run, and the run then reads that enterprise's
real records exactly as its case would, while every write (a released lock, a claim, an outgoing message, an
audit entry of the handler) is undone by the savepoint. Seeding made-up enterprises, persons and locks instead
would put invented subjects into the registers other systems read (the enterprise and personnel registers
feed the approval system, the trading platform and the national platform) and into every statistic, which no
registry authority accepts; a read-only look at real records by the analysts and admins who maintain the
procedures, each one written to the audit log with the enterprise named, is what such an authority allows
(the same records its reviewers read every day). Without a chosen enterprise the run applies as the analyst's
own organisation: choice fields listing an enterprise's records then offer nothing, and a run without an
applicant validates its forms without their choices (as the API always did).

Steps are played by a stand-in user: the analyst's account with the step's role only (so the form shows the
fields of that role, `x-roles`), of the applicant enterprise on an applicant's step and of the case's region
on an authority's step; the person named (default the analyst) stands for the user in the four-eyes rules.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError

from app.db import LIKE_ESCAPE, contains_pattern, dry_run, utcnow
from app.engine import SERIALIZER_VERSION, Definition, RunningCase, StepResult, parse_definition
from app.errors import InvalidForm, Message, NotFound, RuleViolation, TaskNotOpen
from app.extensions import db
from app.models import (
    ROLE_TITLES,
    Actor,
    Case,
    CaseStatus,
    Organisation,
    OrganisationKind,
    ProcedureDraft,
    SandboxRun,
    SignedIn,
)
from app.policy import require_procedure_analyst
from app.services import audit
from app.services.procedures import forms
from app.services.procedures.deploy import check_files
from app.services.procedures.registry import HandlerContext, get_handler, get_validator

log = logging.getLogger(__name__)

RUNNING, COMPLETED, TERMINATED, ERROR = "running", "completed", "terminated", "error"
KEEP_RUNS = 20  # per analyst and procedure: older runs are deleted when a new one starts
MAX_STEPS = 500  # a run's log is bounded (a loop tried again and again)
MAX_PERSON = 64
APPLICANT_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.CONSTRUCTION_UNIT)
MAX_APPLICANTS = 50  # offered at once: the analyst narrows the list by name or credit code


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
    applicant_id: int | None = None
    applicant_name: str | None = None


def _role_title(role: str | None) -> str | None:
    return ROLE_TITLES.get(role, role) if role else None


def _stand_in(key: str, manifest: dict[str, Any], actor: Actor, data: dict[str, Any],
              applicant: Organisation | None = None) -> Case:
    """The case handlers see: never added to the session (a handler that adds it in its savepoint has it
    undone with the savepoint). Its applicant is the chosen enterprise (else the analyst's organisation)."""
    return Case(number=f"试运行-{key}", procedure_key=key, status=CaseStatus.RUNNING,
                title=manifest.get("name") or key,
                applicant_org_id=applicant.id if applicant is not None else actor.organisation_id,
                started_by_id=actor.id,
                region_code=applicant.region_code if applicant is not None else actor.region_code,
                data=dict(data))


def _player(actor: Actor, case: Case, role: str | None, scope: str | None, person: str | None,
            applicant: Organisation | None) -> Actor:
    """Who completes a step: the analyst's account with the step's role only, of the applicant on an applicant's
    step (the enterprise chosen, else the analyst's organisation) and of the case's region on an authority's."""
    own = scope == "applicant" and applicant is not None
    return SignedIn(id=actor.id, username=actor.username, display_name=person or actor.display_name,
                    organisation_id=applicant.id if own and applicant is not None else actor.organisation_id,
                    organisation_kind=applicant.kind if own and applicant is not None else actor.organisation_kind,
                    region_code=case.region_code if scope != "applicant" or own else actor.region_code,
                    person_id=None, roles=frozenset({role}) if role else frozenset(actor.roles),
                    allowed_procedures=tuple(rights) if (rights := actor.allowed_procedures) is not None else None)


def find_applicants(actor: Actor, text: str | None = None) -> list[Organisation]:
    """Enterprises and construction units a run may apply as (by name or credit code), at most MAX_APPLICANTS."""
    require_procedure_analyst(actor)
    query = select(Organisation).where(Organisation.kind.in_([k.value for k in APPLICANT_KINDS]))
    words = (text or "").strip()[:100]
    if words:
        pattern = contains_pattern(words)
        query = query.where(Organisation.name.like(pattern, escape=LIKE_ESCAPE)
                            | Organisation.credit_code.like(pattern, escape=LIKE_ESCAPE))
    return list(db.session.scalars(query.order_by(Organisation.name, Organisation.id).limit(MAX_APPLICANTS)))


def _applicant(applicant_id: int | None) -> Organisation | None:
    if applicant_id is None:
        return None
    org = db.session.get(Organisation, applicant_id)
    if org is None or org.kind not in [k.value for k in APPLICANT_KINDS]:
        raise InvalidForm({"applicant_id": Message("请选择申请企业")}, message="未找到该申请企业")
    return org


def _require_applicant_may_start(manifest: dict[str, Any], applicant: Organisation | None) -> None:
    """A run applies as the chosen organisation as its case would: of a kind the procedure is not for
    (startOrganisations), it is refused as the real start is. Without one the analyst plays the applicant."""
    kinds = manifest.get("start_organisations") or []
    if applicant is not None and kinds and applicant.kind not in kinds:
        raise InvalidForm({"applicant_id": Message("所选申请单位的单位类型不能发起此事项")},
                          message="所选申请单位的单位类型不能发起此事项")


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
        try:
            with dry_run(db.session()):
                errors = get_validator(name)(self.context(data))
                db.session.flush()
        except DBAPIError:
            # A write that needs the case's own row (a claim of the subjects it applies for) cannot be tried
            # without a case: its checks ran and found nothing (a validator writes only when it refuses nothing).
            log.info("sandbox: validator %s wrote what needs a case row; its write is skipped", name)
            self.calls.append({"kind": "validator_write_skipped", "validator": name})
            return {}
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


def _draft_files(key: str, draft_id: int) -> dict[str, str]:
    draft = db.session.get(ProcedureDraft, draft_id)
    if draft is None or draft.procedure_key != key:
        raise NotFound("未找到草稿", code="draft_not_found")
    return dict(draft.files)


def start_run(actor: Actor, key: str, files: dict[str, str] | None, data: dict[str, Any] | None = None,
              draft_id: int | None = None, applicant_id: int | None = None) -> RunView:
    """Check the files (default: the saved draft's) as a deploy would (DeployError), validate the start data
    against the start form, run the start handler and the first steps; the run as it stands. `applicant_id`: the
    real enterprise the run applies as (see the module's policy; None: the analyst's organisation)."""
    require_procedure_analyst(actor)
    applicant = _applicant(applicant_id)
    if files is None:
        if draft_id is None:
            raise InvalidForm({"files": Message("请提交文件或草稿 (draft_id)")}, message="请提交要试运行的文件或草稿")
        files = _draft_files(key, draft_id)
    elif draft_id is not None:
        _draft_files(key, draft_id)  # the run is filed under an existing draft of this procedure
    bundle = check_files(key, files)
    manifest = bundle.manifest
    _require_applicant_may_start(manifest, applicant)
    start_form = _form(bundle.files, (manifest.get("properties") or {}).get("startForm"))
    case = _stand_in(key, manifest, actor, {}, applicant)
    starter = _player(actor, case, _start_role(manifest), "applicant", None, applicant)
    if start_form is not None:
        schema = forms.render_schema(start_form, starter, case) if applicant is not None else start_form
        initial = forms.validate(schema, data or {})
    elif data:
        raise InvalidForm({"_form": "此事项发起时无需填写数据"}, message="此事项发起时不接受数据")
    else:
        initial = {}
    case.data = dict(initial)
    handlers = _Handlers(case, starter)
    start_handler = (manifest.get("properties") or {}).get("startHandler")
    if start_handler:
        handlers.start_handler(start_handler, initial)
    definition = parse_definition(key, bundle.files)
    running, result = _engine().start(definition, initial, handlers.service_caller())
    _prune(actor, key)
    run = SandboxRun(procedure_key=key, draft_id=draft_id, files=bundle.files, manifest=manifest, state=b"",
                     serializer_version=SERIALIZER_VERSION, status=RUNNING, data=dict(initial), steps=[],
                     persons={}, applicant_org_id=applicant.id if applicant is not None else None,
                     created_by_id=actor.id)
    steps: list[dict[str, Any]] = []
    _log(run, {"kind": "started", "data": initial, "by": actor.username,
               "applicant": applicant.name if applicant is not None else None}, steps)
    _apply(run, running, result, handlers, steps)
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "procedure.sandbox_started", "sandbox_run", run.id, procedure=key, draft_id=draft_id,
                 applicant_id=run.applicant_org_id, applicant=applicant.name if applicant is not None else None,
                 status=run.status)
    log.info("sandbox run %s of %s started by %s", run.id, key, actor.username)
    return _view(run, definition, running)


def _start_role(manifest: dict[str, Any]) -> str | None:
    roles = manifest.get("start_roles") or []
    return str(roles[0]) if roles else None


def start_form(actor: Actor, key: str, draft_id: int, applicant_id: int | None = None) -> dict[str, Any] | None:
    """The draft's start form as the applicant's start page renders it (choices read for the applicant chosen);
    None when the procedure starts without data. DeployError when the draft does not pass the deploy checks."""
    require_procedure_analyst(actor)
    applicant = _applicant(applicant_id)
    bundle = check_files(key, _draft_files(key, draft_id))
    schema = _form(bundle.files, (bundle.manifest.get("properties") or {}).get("startForm"))
    if schema is None:
        return None
    case = _stand_in(key, bundle.manifest, actor, {}, applicant)
    return forms.render_schema(schema, _player(actor, case, _start_role(bundle.manifest), "applicant", None,
                                               applicant), case)


def applicant_of(actor: Actor, applicant_id: int) -> Organisation:
    """An enterprise a run may apply as (InvalidForm when it is none)."""
    require_procedure_analyst(actor)
    org = _applicant(applicant_id)
    assert org is not None
    return org


def run_forms(actor: Actor, key: str, run_id: int) -> list[dict[str, Any]]:
    """Every form of the files the run tries (to show its data with the forms' titles), with the choices read for
    the run's applicant (a chosen person shows by name) when it has one."""
    require_procedure_analyst(actor)
    run = _get(key, run_id)
    applicant = _applicant(run.applicant_org_id)
    case = _stand_in(key, run.manifest, actor, run.data or {}, applicant)
    reader = _player(actor, case, None, "applicant", None, applicant)
    found = []
    for name in sorted(run.files):
        if name.startswith("forms/") and name.endswith(".json"):
            try:
                schema = json.loads(run.files[name])
            except json.JSONDecodeError:
                continue
            if isinstance(schema, dict):
                found.append(forms.render_schema(schema, reader, case, to_fill=False) if applicant else schema)
    return found


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
    applicant = db.session.get(Organisation, run.applicant_org_id) if run.applicant_org_id else None
    return RunView(run.id, run.procedure_key, run.draft_id, run.status, run.error_message, dict(run.data or {}),
                   list(run.steps or []), dict(run.persons or {}), tasks, run.applicant_org_id,
                   applicant.name if applicant is not None else None)


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
        raise RuleViolation(Message("按“四眼原则”，办理过“{other}”的人员不能办理“{title}”，请由其他人员办理",
                                    other=Message(other), title=Message(title)),
                            code="four_eyes", details={"step": earlier})
    same = str(props.get("sameAs") or "").strip()
    if same and (run.persons or {}).get(same) not in (None, person):
        other = (tasks.get(same) or {}).get("title") or same
        raise RuleViolation(Message("按规则，“{title}”由办理“{other}”的 {person} 办理", title=Message(title),
                                    other=Message(other), person=run.persons[same]),
                            code="same_as", details={"step": same, "person": run.persons[same]})


def complete_task(actor: Actor, key: str, run_id: int, task_id: str, data: dict[str, Any],
                  role: str | None = None, person: str | None = None) -> RunView:
    """Complete one open step of the run as `role` (the lane's, if given) and `person` (a name standing for
    the user; default the analyst), its form validated as on the task page; the run moves on."""
    require_procedure_analyst(actor)
    run = _get(key, run_id)
    if run.status != RUNNING:
        raise TaskNotOpen("该试运行已结束")
    applicant = _applicant(run.applicant_org_id)
    case = _stand_in(key, run.manifest, actor, run.data or {}, applicant)
    handlers = _Handlers(case, actor)
    definition, running = _load(run, handlers)
    ready = next((t for t in running.current().ready_tasks if t.id == task_id), None)
    if ready is None:
        raise TaskNotOpen()
    meta = (run.manifest.get("tasks") or {}).get(ready.bpmn_id) or {}
    if role and role != meta.get("role"):
        raise RuleViolation(Message("“{step}”由{role}办理", step=Message(ready.title),
                                    role=Message(_role_title(meta.get("role")) or "其他角色")),
                            code="sandbox_wrong_role", details={"role": meta.get("role")})
    who = (person or actor.username).strip()[:MAX_PERSON] or actor.username
    _check_rules(run, meta, ready.title, who)
    handlers.actor = _player(actor, case, meta.get("role"), meta.get("scope"), who, applicant)
    schema = _step_schema(run, meta, handlers.actor, case, applicant)
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
    audit.record(actor, "procedure.sandbox_step", "sandbox_run", run.id, procedure=key, draft_id=run.draft_id,
                 step=ready.bpmn_id, title=ready.title, role=meta.get("role"), person=who, status=run.status)
    return _view(run, definition, running)


def _step_schema(run: SandboxRun, meta: dict[str, Any], player: Actor, case: Case,
                 applicant: Organisation | None) -> dict[str, Any]:
    """The step's form as its page shows it to the player: with the choices read for the applicant (a run
    without one takes any value in its choice fields, as it has no enterprise's records to offer)."""
    schema = _form(run.files, meta.get("form_key")) or {"type": "object"}
    if applicant is None:
        return schema
    return forms.render_schema(schema, player, case)


def step_form(actor: Actor, key: str, run_id: int, task_id: str) -> tuple[OpenTask, dict[str, Any]]:
    """An open step of the run with its form rendered as the task page renders it for the step's role (choices
    read for the run's applicant, fields of other roles left out); TaskNotOpen when it is not open."""
    require_procedure_analyst(actor)
    run = _get(key, run_id)
    view = _view(run)
    task = next((t for t in view.open_tasks if t.id == task_id), None)
    if task is None:
        raise TaskNotOpen()
    applicant = _applicant(run.applicant_org_id)
    case = _stand_in(key, run.manifest, actor, run.data or {}, applicant)
    meta = (run.manifest.get("tasks") or {}).get(task.bpmn_id) or {}
    player = _player(actor, case, meta.get("role"), meta.get("scope"), None, applicant)
    schema = _form(run.files, meta.get("form_key")) or {"type": "object"}
    return task, forms.render_schema(schema, player, case)


def delete_run(actor: Actor, key: str, run_id: int) -> None:
    require_procedure_analyst(actor)
    run = _get(key, run_id)
    audit.record(actor, "procedure.sandbox_deleted", "sandbox_run", run.id, procedure=key, draft_id=run.draft_id)
    db.session.delete(run)
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
        audit.record(actor, "procedure.sandbox_deleted", "sandbox_run", ",".join(map(str, ids))[:64],
                     procedure=key, draft_id=draft_id, runs=ids)
    return len(ids)
