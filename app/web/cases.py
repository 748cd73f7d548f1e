"""Case pages: start, list and search, the case page (diagram, timeline, attachments, comments), withdraw."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.auth import session_actor
from app.db import attempt
from app.errors import InvalidForm, RuleViolation
from app.extensions import db
from app.models import Actor, Case, CaseEvent, CaseStatus
from app.services.cases.attachments import get_attachment
from app.services.cases.comments import add_comment
from app.services.cases.history import list_events
from app.services.cases.lifecycle import (
    CaseFilter,
    get_case,
    list_cases,
    open_tasks_of,
    own_draft,
    start_case,
    withdraw_case,
)
from app.services.cases.overview import case_diagram
from app.services.procedures import forms
from app.services.procedures.versions import get_current_version, manifest_of
from app.web.common import ID, CaseForms, attachment_names, case_files, last_page, page_args, upload_limits
from app.web.data_display import show_data
from app.web.form_rendering import data_from_form, fields_from_schema, unplaced_errors
from app.web.i18n import gettext as _
from app.web.i18n import translate_errors

bp = Blueprint("cases", __name__)
PER_PAGE = 20


@bp.get("/cases")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    status = request.args.get("status") if request.args.get("status") in {s.value for s in CaseStatus} else None
    number = (request.args.get("number") or "").strip() or None
    page = page_args(request.args.get("page"))
    cases, total = list_cases(actor, CaseFilter(status=status, number=number, page=page, per_page=PER_PAGE))
    if page > last_page(total, PER_PAGE):  # past the end (an old link, a typed number): the last page
        page = last_page(total, PER_PAGE)
        cases, total = list_cases(actor, CaseFilter(status=status, number=number, page=page, per_page=PER_PAGE))
    return render_template("cases/index.html", cases=cases, total=total, page=page, per_page=PER_PAGE,
                           status=status, number=number or "")


def _start_schema(actor: Actor, key: str) -> dict[str, Any] | None:
    version = get_current_version(key)
    form_key = (manifest_of(version.id).get("properties") or {}).get("startForm")
    return forms.render_schema(forms.form_schema(version.id, form_key), actor, None) if form_key else None


def _render_start(key: str, schema: dict[str, Any], values: Mapping[str, Any] | None = None,
                  errors: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    errors = translate_errors(errors)
    fields = fields_from_schema(schema, values, errors)
    return render_template("cases/start.html", key=key, title=get_current_version(key).name, fields=fields,
                           description=schema.get("description"),
                           form_errors=unplaced_errors(fields, errors or {})), status


@bp.get("/cases/start/<key>")
@login_required
def start_form(key: str) -> ResponseReturnValue:
    schema = _start_schema(session_actor(), key)
    if schema is None:
        return redirect(url_for("home.index"))
    return _render_start(key, schema)


@bp.post("/cases/start/<key>")
@login_required
def start(key: str) -> ResponseReturnValue:
    actor = session_actor()
    schema = _start_schema(actor, key)
    data = data_from_form(schema, request.form, MultiDict(), lambda _name, _file: "") if schema else {}
    draft = own_draft(actor, key) if schema is None else None
    if draft is not None:  # a second click on 申请 (or back and again) continues the unsubmitted application
        mine = [t.id for t in open_tasks_of(draft) if t.assignee_id == actor.id]
        if mine:
            flash(_("您有一份尚未提交的申请（{number}），已为您打开", number=draft.number), "info")
            return redirect(url_for("tasks.show", task_id=mine[0]))
    try:
        with attempt(db.session()):  # a refused start leaves nothing behind
            case = start_case(actor, key, data)
        mine = [t.id for t in open_tasks_of(case) if t.assignee_id == actor.id]
        case_id = case.id
    except (InvalidForm, RuleViolation) as exc:
        # A refusal (wrong project level, a case already open ...) keeps the user on the form, input kept.
        errors = exc.field_errors if isinstance(exc, InvalidForm) and exc.field_errors else {"": exc.message}
        if schema is None:
            flash(_(next(iter(errors.values()))), "danger")
            return redirect(url_for("home.index"))
        return _render_start(key, schema, data, errors, 422)
    flash(_("办件已创建，请填写申请"), "success")
    return redirect(url_for("tasks.show", task_id=mine[0]) if mine else url_for("cases.show", case_id=case_id))


def _timeline(case: Case, events: list[CaseEvent], case_forms: CaseForms,
              names: dict[str, str]) -> list[tuple[Any, list[Any]]]:
    """Each submission labelled by its own form."""
    return [(event, show_data(event.payload.get("data", {}), case_forms.of_task(event.task_id), names,
                              context=case.data or {})
             if event.kind == "task_completed"
             else []) for event in events]


def render_case(case_id: int, comment: str = "", comment_error: str | None = None,
                status: int = 200) -> ResponseReturnValue:
    actor = session_actor()
    case = get_case(actor, case_id)
    case_forms, names, events = CaseForms.of(actor, case, with_steps=True), attachment_names(case), list_events(case)
    props = case_forms.merged
    diagram = case_diagram(case)
    applicant_side = case.started_by_id == actor.id or case.applicant_org_id == actor.organisation_id
    return render_template(
        "cases/show.html", case=case, open_tasks=open_tasks_of(case),
        timeline=_timeline(case, events, case_forms, names),
        submitted=show_data(case.data or {}, case_forms.current(events), names),
        files=case_files(case, props, events, applicant_side),
        diagram={"xml": diagram.xml, "completed": diagram.completed, "current": diagram.current},
        comment=comment, comment_error=comment_error,
        can_withdraw=applicant_side and case.status in (CaseStatus.RUNNING, CaseStatus.WAITING_FOR_APPLICANT),
    ), status


@bp.get(f"/cases/<{ID}:case_id>")
@login_required
def show(case_id: int) -> ResponseReturnValue:
    return render_case(case_id)


@bp.post(f"/cases/<{ID}:case_id>/comments")
@login_required
def comment(case_id: int) -> ResponseReturnValue:
    text = request.form.get("comment", "")
    try:
        add_comment(session_actor(), case_id, text)  # refuses before it writes
    except InvalidForm as exc:
        return render_case(case_id, text, exc.field_errors.get("comment"), 422)
    flash(_("评论已发表"), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="comments"))


@bp.post(f"/cases/<{ID}:case_id>/withdraw")
@login_required
def withdraw(case_id: int) -> ResponseReturnValue:
    try:  # the service refuses what the API refuses (a reason over its length limit), before it writes
        withdraw_case(session_actor(), case_id, request.form.get("reason", "").strip())
    except InvalidForm as exc:
        flash(_(exc.field_errors.get("reason") or exc.message), "danger")
        return render_case(case_id, status=422)
    flash(_("办件已撤回"), "info")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.get(f"/cases/<{ID}:case_id>/attachments/<attachment_id>")
@login_required
def download(case_id: int, attachment_id: str) -> ResponseReturnValue:
    attachment, path = get_attachment(session_actor(), case_id, attachment_id, upload_limits().directory)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
