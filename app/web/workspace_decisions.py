"""The decision table editor of a draft (analysts and admins): a new table (`bpmn/<decision id>.dmn`), edited
with dmn-js (inputs, outputs, rules), saved into the draft, checked with the draft's deploy checks."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.errors import InvalidForm
from app.services.procedures import dmn, drafts
from app.web.i18n import gettext as _
from app.web.workspace import analyst
from app.web.workspace_drafts import DRAFT

bp = Blueprint("workspace_decisions", __name__, url_prefix="/workspace")

TABLE = "<string(maxlength=100):table>"  # the file's name without bpmn/ and .dmn


@bp.post(f"{DRAFT}/decisions")
@login_required
def create(key: str, draft_id: int) -> ResponseReturnValue:
    actor = analyst()
    drafts.get_draft(actor, draft_id, key)
    decision_id = (request.form.get("decision_id") or "").strip()
    try:
        dmn.add_decision(actor, draft_id, decision_id, request.form.get("name"))
    except InvalidForm as refused:
        flash(_(next(iter(refused.field_errors.values()), refused.message)), "danger")
        return redirect(url_for("workspace_drafts.show", key=key, draft_id=draft_id))
    return redirect(url_for("workspace_decisions.edit", key=key, draft_id=draft_id, table=decision_id))


@bp.get(f"{DRAFT}/decisions/{TABLE}")
@login_required
def edit(key: str, draft_id: int, table: str) -> ResponseReturnValue:
    actor = analyst()
    draft = drafts.get_draft(actor, draft_id, key)
    name = dmn.file_of(table)
    if name not in draft.files:
        abort(404)
    data = {"file": name, "xml": draft.files[name], "revision": draft.revision,
            "save_url": url_for("workspace_drafts.save", key=key, draft_id=draft_id),
            "check_url": url_for("workspace_drafts.check", key=key, draft_id=draft_id)}
    return render_template("workspace/decision_editor.html", draft=draft, table=table, data=data)
