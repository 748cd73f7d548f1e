"""The task page: what was submitted so far, the form, claim / unclaim / assign, the deadline."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import FileStorage

from app.auth import session_actor
from app.db import attempt
from app.errors import Conflict, DomainError, InvalidForm, NotAllowed, UploadRefused, bilingual_of
from app.extensions import db
from app.models import OPEN_STATUSES, Actor, Task, TaskStatus
from app.policy import is_candidate, may_unclaim, on_applicant_side, require_can_assign
from app.routing import id_arg
from app.services.cases.attachments import store_attachment
from app.services.cases.history import Event, list_events
from app.services.cases.internal_fields import events_without, hidden_keys, without_keys
from app.services.tasks import work as task_service
from app.services.tasks.drafts import find_draft, save_draft
from app.web.choice_titles import former_choice_titles
from app.web.common import CaseForms, attachment_names_seen_by, upload_limits
from app.web.data_display import show_data
from app.web.errors import domain_error_page
from app.web.form_rendering import data_from_form, fields_from_schema, unplaced_errors
from app.web.form_rules import client_rules
from app.web.i18n import gettext as _
from app.web.i18n import translate_errors

bp = Blueprint("tasks", __name__)


def _can_work(actor: Actor, task: Task) -> bool:
    """Show the form: the task is the actor's, or an applicant's unclaimed task it may take at once."""
    if task.status != TaskStatus.OPEN:
        return False
    return task.assignee_id == actor.id or (
        task.assignee_id is None and task.scope == "applicant" and is_candidate(actor, task))


def _may_assign(actor: Actor, task: Task) -> bool:
    try:
        require_can_assign(actor, task)
    except NotAllowed:
        return False
    return task.status == TaskStatus.OPEN


def _events(task: Task, events: list[Event]) -> tuple[Event | None, Event | None]:
    """(this task's completion, the completion of another task that led to it) from the case's history.

    The one that led to it is the latest before the task was created (the return a 补正 answered), not the latest
    of the case: a finished task opened later (from a notice, the history) would show the case's last decision.
    Where the history holds no creation of the task, the latest before its own completion, or, open, of all."""
    created = next((i for i, e in enumerate(events) if e.kind == "task_created" and e.task_id == task.id), None)
    own = next((e for e in reversed(events) if e.kind == "task_completed" and e.task_id == task.id), None)
    if created is None:
        created = events.index(own) if own is not None else len(events)
    other = next((e for e in reversed(events[:created]) if e.kind == "task_completed" and e.task_id != task.id
                  and e.actor_id != task.assignee_id), None)
    return own, other


def _earlier_round(task: Task, events: list[Event], case_forms: CaseForms) -> Event | None:
    """The latest completion of the same step by an earlier task when this task is that step sent back to;
    None for a new round, which starts afresh instead of opening on the last round's decision and comment.

    Sent back: the completion that led to this task is of a step that came after this one in the case (first
    done later: the province returning a record to the city, the city returning an application to its
    applicant). A step done before it leading here again is a new round (the applicant's 补正 resubmitted,
    the city's record sent again to the province)."""
    done = [e for e in events if e.kind == "task_completed"]
    same = {tid for tid, step in case_forms.steps.items() if step.bpmn_id == task.bpmn_id and tid != task.id}
    earlier = next((e for e in reversed(done) if e.task_id in same), None)
    if earlier is None:
        return None
    first_done: dict[str, int] = {}  # each step's place in the case: the order in which steps were first done
    for position, event in enumerate(done):
        step = case_forms.steps.get(event.task_id or "")
        if step is not None:
            first_done.setdefault(step.bpmn_id, position)
    leading = case_forms.steps.get(done[-1].task_id or "")
    sent_back = leading is not None and first_done[leading.bpmn_id] > first_done[task.bpmn_id]
    return earlier if sent_back else None


def _render(actor: Actor, task: Task, values: Mapping[str, Any] | None = None,
            errors: Mapping[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    case = task.case
    # the applicant's side never gets the fields internal to the authorities: not in the data, not in the history
    hidden = hidden_keys(case.procedure_version_id, on_applicant_side(actor, case))
    data = without_keys(case.data or {}, hidden)
    case_forms, events = CaseForms.of(actor, case, with_steps=True), events_without(list_events(case), hidden)
    names = attachment_names_seen_by(actor, case, events)  # input sent back may name a file he may not see
    schema = task_service.task_form(actor, task) if _can_work(actor, task) else None
    own_keys = set((schema or {}).get("properties", {}))
    earlier = _earlier_round(task, events, case_forms) if task.status == TaskStatus.OPEN else None
    draft = find_draft(actor, task) if schema else None
    if values is None:
        if draft:  # the 暂存 input
            values = draft.data
        elif task.scope == "applicant":
            values = dict(data)
        else:  # a returned step opens with what was submitted the last time, to be corrected
            previous = earlier.payload.get("data", {}) if earlier else {}
            values = {k: v for k, v in previous.items() if k in own_keys}
    errors = translate_errors(errors)
    fields = fields_from_schema(schema, values, errors, names,
                                titles=former_choice_titles(schema, values, data)) if schema else []
    own_event, last_event = _events(task, events)
    if task.scope != "applicant" and earlier is None:  # reviewers see the submitted data below; applicants
        last_event = None  # the reply; a returned step also what the step after it asked for
    last_data = last_event.payload.get("data", {}) if last_event else {}
    may_assign = _may_assign(actor, task)
    return render_template(
        "tasks/show.html", actor=actor, task=task, case=case, fields=fields,
        form_errors=unplaced_errors(fields, errors or {}), has_errors=bool(errors),
        # An open task shows the case as it stands; a finished one only what it submitted (the case has
        # moved on since: its current data beside that submission would read as two answers).
        submitted=show_data(data, case_forms.current(events), names, exclude=own_keys | set(last_data),
                            of_case=True) if task.status == TaskStatus.OPEN else [],
        own_result=show_data(own_event.payload.get("data", {}), case_forms.of_task(task.id), names,
                             context=data, of_case=True) if own_event else [],
        last_event=last_event, returned=earlier is not None,
        last_result=show_data(last_data, case_forms.of_task(last_event.task_id if last_event else None), names,
                              context=data, of_case=True),
        can_claim=not schema and task.status == TaskStatus.OPEN and task.assignee_id is None
        and is_candidate(actor, task), form_description=_(bilingual_of(schema, "description") or ""),
        can_unclaim=task.status == TaskStatus.OPEN and task.assignee_id is not None and may_unclaim(actor, task),
        assignees=task_service.assignable_users(actor, task.id) if may_assign else [],
        names=names, draft_saved_at=draft.saved_at if draft else None,
        rules=client_rules(schema, _) if schema else None), status


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str) -> ResponseReturnValue:
    actor = session_actor()
    return _render(actor, task_service.get_task(actor, task_id))


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    actor = session_actor()
    task = task_service.get_task(actor, task_id)
    if task_service.completed_by(actor, task):  # sent twice: the first one counted, its files are stored
        return _submitted_already(task)
    schema, case_id, upload_errors = task_service.task_form(actor, task), task.case_id, {}

    def store(name: str, upload: FileStorage) -> str:
        try:  # a refused file leaves no row behind; the form's other files stay
            with attempt(db.session()):
                return store_attachment(actor, case_id, upload.filename or "", upload.stream, upload_limits()).id
        except UploadRefused as exc:
            upload_errors[name] = exc.message
            return ""
    # One unit of work: the uploads and the completion. A refused form keeps the uploads (its refusal is
    # a savepoint undone, the page shows the stored files), like the API's separate upload calls.
    data = data_from_form(schema, request.form, request.files, store)
    if request.form.get("action") == "save":  # 暂存: kept as typed, with the files uploaded so far
        save_draft(actor, task_id, data)
        if upload_errors:
            return _render(actor, task, data, upload_errors, 422)
        flash(_("已暂存，可稍后继续填写"), "success")
        return redirect(url_for("tasks.show", task_id=task_id))
    if upload_errors:  # the refused files, and everything else the form would be refused for
        errors = {**task_service.submission_errors(actor, task_id, data), **upload_errors}
        save_draft(actor, task_id, data)  # reopened later, the form still holds the input and uploads
        return _render(actor, task, data, errors, 422)
    try:
        with attempt(db.session()):
            task_service.complete_task(actor, task_id, data)
    except InvalidForm as exc:
        save_draft(actor, task_id, data)
        return _render(actor, task, data, exc.field_errors, 422)
    # a decision that ended the case says so (the last approval used to be told the flow had moved on)
    flash(_("已提交办理，流程已流转到下一环节") if task.case.status in OPEN_STATUSES else _("已提交办理，办件已办结"),
          "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _submitted_already(task: Task) -> ResponseReturnValue:
    flash(_("该任务已提交，无需重复提交"), "info")
    return redirect(url_for("cases.show", case_id=task.case_id))


@bp.errorhandler(Conflict)
def _lost_to_own_submission(exc: Conflict) -> ResponseReturnValue:
    """A completion that lost a race to the same user's other submission of the form (a double click on 提交: the
    loser's unit of work rolled back, its files with it) is answered as the second of two submissions sent one
    after the other is: the case page, told the task was submitted already. Read again here, after the rollback:
    a conflict with someone else's action keeps its refusal page."""
    if request.endpoint == "tasks.complete":
        actor = session_actor()
        try:
            task = task_service.get_task(actor, str((request.view_args or {})["task_id"]))
        except (DomainError, SQLAlchemyError):  # not to be read now: the conflict is the answer
            return domain_error_page(exc)
        if task_service.completed_by(actor, task):
            return _submitted_already(task)
    return domain_error_page(exc)


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    task_service.claim_task(session_actor(), task_id)
    flash(_("已领取任务，请办理"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> ResponseReturnValue:
    task_service.unclaim_task(session_actor(), task_id)
    flash(_("任务已退回待领取"), "info")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str) -> ResponseReturnValue:
    # ASCII digits only: int() read "１" and "١" as user 1 (a larger id would overflow the id column)
    user_id = id_arg((request.form.get("user_id") or "").strip())
    if user_id is None:  # not a user id
        flash(_("请选择办理人"), "danger")
        return redirect(url_for("tasks.show", task_id=task_id))
    actor = session_actor()
    names = {u.id: u.display_name for u in task_service.assignable_users(actor, task_id)}
    task_service.assign_task(actor, task_id, user_id)
    name = names.get(user_id, "")
    flash(_("已分派给 {name}", name=name), "success")
    return redirect(url_for("tasks.show", task_id=task_id))
