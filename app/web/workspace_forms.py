"""The form editor of a draft (analysts and admins): a form's JSON Schema in a code editor, a live preview
rendered by the task pages' own renderer, the schema's problems (JSON, JSON Schema, unknown keywords, fields the
diagram's conditions read), saving into the draft."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.errors import InvalidForm
from app.models import Actor
from app.services.procedures import drafts, forms
from app.web.form_rendering import Field, fields_from_schema
from app.web.i18n import gettext as _
from app.web.i18n import translate_problems
from app.web.workspace import analyst
from app.web.workspace_drafts import DRAFT

bp = Blueprint("workspace_forms", __name__, url_prefix="/workspace")

FORM = "<string(maxlength=60):form_key>"


@bp.post(f"{DRAFT}/forms")
@login_required
def create(key: str, draft_id: int) -> ResponseReturnValue:
    actor = analyst()
    drafts.get_draft(actor, draft_id, key)
    form_key = (request.form.get("form_key") or "").strip()
    try:
        drafts.add_form(actor, draft_id, form_key)
    except InvalidForm as refused:
        flash(_(next(iter(refused.field_errors.values()), refused.message)), "danger")
        return redirect(url_for("workspace_drafts.show", key=key, draft_id=draft_id))
    return redirect(url_for("workspace_forms.edit", key=key, draft_id=draft_id, form_key=form_key))


@bp.post(f"{DRAFT}/forms/{FORM}/delete")
@login_required
def delete(key: str, draft_id: int, form_key: str) -> ResponseReturnValue:
    actor = analyst()
    drafts.get_draft(actor, draft_id, key)
    drafts.remove_form(actor, draft_id, form_key)
    flash(_("表单 {key} 已从草稿中删除", key=form_key), "success")
    return redirect(url_for("workspace_drafts.show", key=key, draft_id=draft_id))


@bp.get(f"{DRAFT}/forms/{FORM}")
@login_required
def edit(key: str, draft_id: int, form_key: str) -> ResponseReturnValue:
    actor = analyst()
    draft = drafts.get_draft(actor, draft_id, key)
    name = f"forms/{form_key}.json"
    if name not in draft.files:
        abort(404)
    text = draft.files[name]
    schema, problems = drafts.check_form(actor, draft_id, form_key, text)
    data = {"file": name, "text": text, "revision": draft.revision,
            "save_url": url_for("workspace_drafts.save", key=key, draft_id=draft_id),
            "preview_url": url_for("workspace_forms.preview", key=key, draft_id=draft_id, form_key=form_key)}
    return render_template("workspace/form_editor.html", draft=draft, form_key=form_key, data=data,
                           fields=_fields(actor, schema), problems=translate_problems(problems))


def _fields(actor: Actor, schema: dict[str, Any] | None) -> list[Field]:
    if not schema:
        return []
    try:
        return fields_from_schema(forms.render_schema(schema, actor, None))
    except Exception:  # a schema the renderer cannot draw: its problems are listed instead
        return []


@bp.post(f"{DRAFT}/forms/{FORM}/preview")
@login_required
def preview(key: str, draft_id: int, form_key: str) -> ResponseReturnValue:
    """JSON {text} → {html: the form as a task page draws it, problems: [{file, element, problem}]}."""
    actor = analyst()
    drafts.get_draft(actor, draft_id, key)
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or len(text.encode("utf-8")) > drafts.MAX_FORM_BYTES:
        return jsonify({"code": "invalid_request", "message": _("请求格式有误")}), 400
    schema, problems = drafts.check_form(actor, draft_id, form_key, text)
    html = render_template("workspace/_form_preview.html", fields=_fields(actor, schema))
    return jsonify({"html": html, "problems": translate_problems(problems)})
