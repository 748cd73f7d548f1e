"""The sandbox ("try it") pages of a draft (analysts and admins): start a run of the draft as a chosen applicant
enterprise, then play it step by step as any role, each step's form drawn and checked by the task pages' own
code, the path taken so far and the step the run waits at shown on the diagram, through to the end.

A run is no case (services/procedures/sandbox.py): it never shows in task lists, dashboards, search, exports or
outgoing messages, and it is deleted with its draft. An upload in a run is not stored (a run has no case to keep
it): its file name stands for it, as `sandbox:<name>`.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import FileStorage

from app.errors import DeployError, InvalidForm, RuleViolation, TaskNotOpen, bilingual_of
from app.models import ROLE_TITLES, Actor, ProcedureDraft, Role
from app.routing import ID, id_arg
from app.services.procedures import drafts, sandbox
from app.services.procedures.sandbox import OpenTask, RunView
from app.web.data_display import Shown, merged_properties, show_data
from app.web.form_rendering import data_from_form, fields_from_schema, unplaced_errors
from app.web.form_rules import client_rules
from app.web.i18n import diagram_xml, list_separator, translate_errors
from app.web.i18n import gettext as _
from app.web.workspace import analyst, main_diagram
from app.web.workspace_drafts import DRAFT

bp = Blueprint("workspace_sandbox", __name__, url_prefix="/workspace")

SANDBOX = f"{DRAFT}/sandbox"
RUN = f"{SANDBOX}/<{ID}:run_id>"
TASK = "<string(length=36):task_id>"
UPLOAD_PREFIX = "sandbox:"  # an upload's stand-in value: the file is not stored
ROLES = [r.value for r in Role if r not in (Role.ANALYST, Role.ADMIN, Role.AUDITOR)]
STATUS_TITLES = {sandbox.RUNNING: "试运行中", sandbox.COMPLETED: "已走完全程", sandbox.TERMINATED: "已终止",
                 sandbox.ERROR: "出错"}


def _draft(actor: Actor, key: str, draft_id: int) -> ProcedureDraft:
    return drafts.get_draft(actor, draft_id, key)


def _run(actor: Actor, key: str, draft_id: int, run_id: int) -> RunView:
    """The run, of this draft (another draft's run is not found here)."""
    run = sandbox.get_run(actor, key, run_id)
    if run.draft_id != draft_id:
        abort(404)
    return run


def _store(_name: str, upload: FileStorage) -> str:
    """An upload of a run: not stored, its name stands for it."""
    return UPLOAD_PREFIX + (upload.filename or "")[:120]


def _names(values: Mapping[str, Any]) -> dict[str, str]:
    """The stand-in values of uploads -> their file names, for the form and the data shown."""
    found: dict[str, str] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str) and value.startswith(UPLOAD_PREFIX):
            found[value] = value[len(UPLOAD_PREFIX):]
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
    walk(dict(values))
    return found


def _applicant_id(raw: str | None) -> int | None:
    return id_arg(raw)


@bp.get(SANDBOX)
@login_required
def index(key: str, draft_id: int, values: Mapping[str, Any] | None = None,
          errors: Mapping[str, str] | None = None, problems: list[dict[str, Any]] | None = None,
          status: int = 200) -> ResponseReturnValue:
    """The draft's runs, and the start of a new one: the applicant enterprise (searched by name or credit code),
    then the start form when the procedure has one."""
    actor = analyst()
    draft = _draft(actor, key, draft_id)
    search = (request.values.get("q") or "").strip()[:100]
    applicant_id = _applicant_id(request.values.get("applicant_id"))
    applicants = sandbox.find_applicants(actor, search)
    chosen = None
    if applicant_id is not None:
        try:
            chosen = sandbox.applicant_of(actor, applicant_id)
        except InvalidForm:
            chosen = None
    if chosen is not None and chosen not in applicants:
        applicants = [chosen, *applicants]
    start_fields: list[Any] = []
    rules = None
    if problems is None:
        try:
            schema = sandbox.start_form(actor, key, draft_id, chosen.id if chosen else None)
        except DeployError as refused:
            problems, schema = refused.problems, None
        if schema is not None:
            shown_errors = translate_errors(errors)
            start_fields = fields_from_schema(schema, values or {}, shown_errors, _names(values or {}))
            rules = client_rules(schema, _)
    runs = sandbox.list_runs(actor, key, draft_id)
    return render_template("workspace/sandbox.html", draft=draft, runs=runs, applicants=applicants, chosen=chosen,
                           search=search, start_fields=start_fields, rules=rules, problems=problems,
                           sandbox_status_titles=STATUS_TITLES,
                           form_errors=unplaced_errors(start_fields, translate_errors(errors)),
                           has_errors=bool(errors)), status


@bp.post(SANDBOX)
@login_required
def start(key: str, draft_id: int) -> ResponseReturnValue:
    actor = analyst()
    _draft(actor, key, draft_id)
    applicant_id = _applicant_id(request.form.get("applicant_id"))
    data: dict[str, Any] = {}
    try:
        schema = sandbox.start_form(actor, key, draft_id, applicant_id)
        if schema is not None:
            data = data_from_form(schema, request.form, request.files, _store)
        run = sandbox.start_run(actor, key, None, data, draft_id, applicant_id)
    except DeployError as refused:
        return index(key, draft_id, problems=refused.problems, status=422)
    except InvalidForm as refused:
        if not refused.field_errors.get("applicant_id"):
            return index(key, draft_id, values=data, errors=refused.field_errors, status=422)
        flash(_(refused.field_errors["applicant_id"]), "danger")
        return index(key, draft_id, status=422)
    flash(_("试运行已开始：请逐步办理，试运行不产生办件"), "success")
    return redirect(url_for("workspace_sandbox.show", key=key, draft_id=draft_id, run_id=run.id))


def _diagram(draft: ProcedureDraft, key: str, run: RunView) -> dict[str, Any]:
    _name, xml = main_diagram(draft.files, key)
    done = [s["bpmn_id"] for s in run.steps if s.get("bpmn_id") and s.get("kind") in ("step", "task_completed")]
    return {"xml": diagram_xml(xml), "completed": sorted(set(done)), "current": [t.bpmn_id for t in run.open_tasks]}


def _shown(data: Mapping[str, Any], properties: Mapping[str, dict[str, Any]],
           context: Mapping[str, Any]) -> list[Shown]:
    """Data as the case page shows it; an upload by its file name only (it was not stored: nothing to open)."""
    shown = show_data(data, properties, _names(data), context=context)
    for item in shown:
        if item.files:
            item.text, item.files = list_separator().join(name for _id, name in item.files), []
    return shown


def _at(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _path(run: RunView, properties: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The run's log as the page lists it: each entry with its data shown as the case page shows data."""
    entries = []
    for step in run.steps:
        data = step.get("data") if isinstance(step.get("data"), dict) else {}
        entries.append({**step, "at": _at(step.get("at")),
                        "shown": _shown(data, properties, run.data) if data else [],
                        "role_title": ROLE_TITLES.get(step.get("role") or "", step.get("role"))})
    return entries


@bp.get(RUN)
@login_required
def show(key: str, draft_id: int, run_id: int, task_id: str | None = None, values: Mapping[str, Any] | None = None,
         errors: Mapping[str, str] | None = None, role: str | None = None, person: str | None = None,
         status: int = 200) -> ResponseReturnValue:
    """The run: where it is now (the open steps on the diagram), the path taken so far, and the form of the open
    step chosen (`?task=`, default the first), to be completed as a role and a person the analyst names."""
    actor = analyst()
    draft = _draft(actor, key, draft_id)
    run = _run(actor, key, draft_id, run_id)
    wanted = task_id or request.args.get("task")
    task: OpenTask | None = next((t for t in run.open_tasks if t.id == wanted), None) or (
        run.open_tasks[0] if run.open_tasks else None)
    fields: list[Any] = []
    rules = None
    description = None
    if task is not None:
        _task, schema = sandbox.step_form(actor, key, run_id, task.id)
        shown_values = values if values is not None else {}
        fields = fields_from_schema(schema, shown_values, translate_errors(errors), _names(shown_values))
        rules = client_rules(schema, _)
        description = _(bilingual_of(schema, "description") or "")
    properties = merged_properties(sandbox.run_forms(actor, key, run_id))
    return render_template(
        "workspace/sandbox_run.html", draft=draft, run=run, task=task, fields=fields, rules=rules,
        form_description=description, roles=ROLES, role=role or (task.role if task else None),
        person=person or "", path=_path(run, properties), diagram=_diagram(draft, key, run),
        shown_data=_shown(run.data, properties, run.data), status_titles=STATUS_TITLES, role_titles=ROLE_TITLES,
        form_errors=unplaced_errors(fields, translate_errors(errors)), has_errors=bool(errors)), status


@bp.post(f"{RUN}/tasks/{TASK}")
@login_required
def complete(key: str, draft_id: int, run_id: int, task_id: str) -> ResponseReturnValue:
    actor = analyst()
    _draft(actor, key, draft_id)
    _run(actor, key, draft_id, run_id)
    role = (request.form.get("role") or "").strip()[:40] or None
    person = (request.form.get("person") or "").strip()[:sandbox.MAX_PERSON] or None
    try:
        _task, schema = sandbox.step_form(actor, key, run_id, task_id)
    except TaskNotOpen:
        flash(_("该步骤已不在办理中"), "warning")
        return redirect(url_for("workspace_sandbox.show", key=key, draft_id=draft_id, run_id=run_id))
    data = data_from_form(schema, request.form, request.files, _store)
    try:
        run = sandbox.complete_task(actor, key, run_id, task_id, data, role, person)
    except InvalidForm as refused:
        return show(key, draft_id, run_id, task_id, data, refused.field_errors, role, person or "", 422)
    except RuleViolation as refused:
        flash(_(refused.message), "danger")
        return show(key, draft_id, run_id, task_id, data, None, role, person or "", 422)
    except TaskNotOpen:
        flash(_("该步骤已不在办理中"), "warning")
        return redirect(url_for("workspace_sandbox.show", key=key, draft_id=draft_id, run_id=run_id))
    if run.status == sandbox.COMPLETED:
        flash(_("试运行已走完全程"), "success")
    elif run.status == sandbox.ERROR:
        flash(_("试运行出错：{error}", error=run.error or ""), "danger")
    else:
        flash(_("已办理，流程已流转到下一步"), "success")
    return redirect(url_for("workspace_sandbox.show", key=key, draft_id=draft_id, run_id=run_id))


@bp.post(f"{RUN}/delete")
@login_required
def delete(key: str, draft_id: int, run_id: int) -> ResponseReturnValue:
    actor = analyst()
    _draft(actor, key, draft_id)
    _run(actor, key, draft_id, run_id)
    sandbox.delete_run(actor, key, run_id)
    flash(_("试运行已删除"), "success")
    return redirect(url_for("workspace_sandbox.index", key=key, draft_id=draft_id))
