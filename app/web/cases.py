"""Case pages: start, list and search, the case page (diagram, timeline, attachments, comments), withdraw."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.auth import session_actor
from app.db import attempt, utcnow
from app.errors import InvalidForm, NotFound, RuleViolation, bilingual_of
from app.extensions import db
from app.models import OPEN_STATUSES, Actor, CaseStatus, Role
from app.policy import on_applicant_side
from app.routing import ID
from app.services.cases.attachments import delete_attachment, get_attachment
from app.services.cases.comments import add_comment
from app.services.cases.history import Event, list_events
from app.services.cases.internal_fields import events_without, hidden_keys, without_keys
from app.services.cases.lifecycle import (
    get_case,
    may_withdraw,
    open_tasks_of,
    own_draft,
    require_may_start,
    retry_case,
    start_case,
    withdraw_case,
)
from app.services.cases.overview import case_diagram
from app.services.cases.search import (
    SORTS,
    CaseFilter,
    case_limits,
    export_search,
    search_deadline_states,
    search_regions,
    search_shown,
)
from app.services.dashboard.export import FORMATS, export
from app.services.deadlines.limits import LOCAL_TZ
from app.services.documents.access import list_documents
from app.services.procedures import forms
from app.services.procedures.versions import get_current_version, list_procedures, manifest_of
from app.web.case_export import cases_table
from app.web.common import CaseForms, attachment_names, case_files, last_page, page_args, query_day, upload_limits
from app.web.data_display import show_data
from app.web.form_rendering import data_from_form, fields_from_schema, unplaced_errors
from app.web.form_rules import client_rules
from app.web.i18n import diagram_xml, translate_errors
from app.web.i18n import gettext as _

bp = Blueprint("cases", __name__)
PER_PAGE = 20
ID_REGION = re.compile(r"\d{6}")


MAX_EXPORT = 10_000  # rows of one export (a narrower search for more)


def _filters(args: Any, actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> CaseFilter:
    """The search's filters from the query string; what is not one of the known values is ignored. The deadline
    state is the one the rows show the actor (a case refused back to the applicant's side reads 待修改后重新申请)."""
    text = {name: (args.get(name) or "").strip()[:100] or None for name in ("number", "applicant", "person", "project")}
    return CaseFilter(
        status=args.get("status") if args.get("status") in {s.value for s in CaseStatus} else None,
        procedure=args.get("procedure") or None, region=args.get("region") if ID_REGION.fullmatch(
            args.get("region") or "") else None,
        deadline_state=args.get("deadline") if args.get("deadline") in search_deadline_states(actor) else None,
        deadline_as_shown=True,
        received_from=query_day(args.get("from")), received_to=query_day(args.get("to")),
        sort=args.get("sort") if args.get("sort") in SORTS else None, page=page, per_page=per_page, **text)


@bp.get("/cases")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    filters = _filters(request.args, actor, page_args(request.args.get("page")))
    found = search_shown(actor, filters)
    if filters.page > last_page(found.total, PER_PAGE):  # past the end (an old link, a typed number): the last page
        filters = replace(filters, page=last_page(found.total, PER_PAGE))
        found = search_shown(actor, filters)
    cases, total = found.cases, found.total
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/index.html", cases=cases, total=total, page=filters.page, per_page=PER_PAGE,
                           filters=filters, query=query, limits=case_limits([c.id for c in cases]),
                           paused_late=found.paused_late,
                           procedures=list_procedures(), regions=search_regions(actor),
                           deadlines=search_deadline_states(actor), max_export=MAX_EXPORT, actor=actor)


@bp.get("/cases/export.<fmt>")
@login_required
def export_cases(fmt: str) -> ResponseReturnValue:
    """The search's cases (all pages, up to MAX_EXPORT) as CSV or Excel, cells safe from formulas."""
    if fmt not in FORMATS:
        raise NotFound("不支持该导出格式", code="export_format_not_found")
    actor = session_actor()
    found = export_search(actor, _filters(request.args, actor, per_page=MAX_EXPORT), fmt)
    limits = case_limits([c.id for c in found.cases])
    content, mimetype = export(cases_table(found.cases, limits, actor, found.paused_late), fmt)
    stamp = utcnow().astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(content, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="cases-{stamp}.{fmt}"'})


def _start_schema(actor: Actor, key: str) -> dict[str, Any] | None:
    require_may_start(actor, key)
    version = get_current_version(key)
    form_key = (manifest_of(version.id).get("properties") or {}).get("startForm")
    return forms.render_schema(forms.form_schema(version.id, form_key), actor, None) if form_key else None


def _render_start(key: str, schema: dict[str, Any], values: Mapping[str, Any] | None = None,
                  errors: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    errors = translate_errors(errors)
    fields = fields_from_schema(schema, values, errors)
    return render_template("cases/start.html", key=key, title=_(get_current_version(key).name), fields=fields,
                           description=_(bilingual_of(schema, "description") or ""),
                           form_errors=unplaced_errors(fields, errors or {}), rules=client_rules(schema, _)), status


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
        case_id, finished = case.id, case.status == CaseStatus.COMPLETED
    except (InvalidForm, RuleViolation) as exc:
        # A refusal (wrong project level, a case already open ...) keeps the user on the form, input kept.
        errors = exc.field_errors if isinstance(exc, InvalidForm) and exc.field_errors else {"": exc.message}
        if schema is None:
            flash(_(next(iter(errors.values()))), "danger")
            return redirect(url_for("home.index"))
        return _render_start(key, schema, data, errors, 422)
    if mine:  # the applicant's own form comes next
        flash(_("办件已创建，请填写申请"), "success")
        return redirect(url_for("tasks.show", task_id=mine[0]))
    # The start data was the whole application: decided at once (本单位注销), or gone to the authority.
    flash(_("办件已办结") if finished else _("办件已提交，等待审核"), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _timeline(data: Mapping[str, Any], events: list[Event], case_forms: CaseForms,
              names: dict[str, str]) -> list[tuple[Any, list[Any]]]:
    """Each submission labelled by its own form (`data`: the case's, as the reader gets it)."""
    return [(event, show_data(event.payload.get("data", {}), case_forms.of_task(event.task_id), names,
                              context=data, of_case=True)
             if event.kind == "task_completed"
             else []) for event in events]


def render_case(case_id: int, comment: str = "", comment_error: str | None = None,
                status: int = 200) -> ResponseReturnValue:
    actor = session_actor()
    case = get_case(actor, case_id)
    applicant_side = on_applicant_side(actor, case)
    # the applicant's side never gets the fields internal to the authorities: not in the data, not in the history
    hidden = hidden_keys(case.procedure_version_id, applicant_side)
    data, events = without_keys(case.data or {}, hidden), events_without(list_events(case), hidden)
    case_forms, names = CaseForms.of(actor, case, with_steps=True), attachment_names(case)
    diagram = case_diagram(case)
    return render_template(
        "cases/show.html", case=case, open_tasks=open_tasks_of(case),
        timeline=_timeline(data, events, case_forms, names),
        submitted=show_data(data, case_forms.current(events), names, of_case=True),
        # files labelled by the form that last filed each field: B→A's self-check record and the city's
        # report share `record_files`, and the first form naming it labelled both
        files=case_files(actor, case, case_forms.current(events), events),
        applicant_side=applicant_side, actor_id=actor.id, case_open=case.status in OPEN_STATUSES,
        documents=list_documents(actor, case.id),
        diagram={"xml": diagram_xml(diagram.xml), "completed": diagram.completed, "current": diagram.current},
        comment=comment, comment_error=comment_error,
        can_withdraw=may_withdraw(actor, case),
        can_retry=case.status == CaseStatus.ERROR and actor.has_role(Role.ADMIN),
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


@bp.post(f"/cases/<{ID}:case_id>/retry")
@login_required
def retry(case_id: int) -> ResponseReturnValue:
    """An admin retries the failed step of a case in 异常 once its cause is repaired (it was the API's only)."""
    retried = retry_case(session_actor(), case_id)
    if retried.status == CaseStatus.ERROR:  # failed again: its new message is on the page
        flash(_("重试未成功，办件仍处于异常状态"), "danger")
    else:
        flash(_("已重试，办件已继续办理"), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post(f"/cases/<{ID}:case_id>/attachments/<attachment_id>/delete")
@login_required
def remove_attachment(case_id: int, attachment_id: str) -> ResponseReturnValue:
    try:
        removed = delete_attachment(session_actor(), case_id, attachment_id, upload_limits().directory)
    except RuleViolation as exc:  # submitted, in a draft, case closed: said on the page, nothing changed
        flash(_(exc.message), "danger")
        return render_case(case_id, status=422)
    flash(_("附件“{name}”已删除", name=removed.filename), "info")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="files-heading"))


@bp.get(f"/cases/<{ID}:case_id>/attachments/<attachment_id>")
@login_required
def download(case_id: int, attachment_id: str) -> ResponseReturnValue:
    attachment, path = get_attachment(session_actor(), case_id, attachment_id, upload_limits().directory)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
