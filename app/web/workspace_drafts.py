"""Drafts in the procedure workspace (analysts and admins): create from a version or as a new procedure, the
draft page with the web modeler, saving its files (JSON, from the modeler and the form editor), the deploy
checks as one list, deploy as the next version with a note, delete."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.errors import BaseVersionChanged, DeployError, DomainError, InvalidForm
from app.models import Actor, ProcedureDraft, Role
from app.routing import ID, id_arg
from app.services.procedures import dmn, drafts
from app.services.procedures.bundles import LANES_FILE, MAX_FILE_BYTES
from app.services.procedures.condition_choices import field_choices
from app.services.procedures.registry import handler_names, validator_names
from app.services.procedures.versions import list_procedures
from app.web.i18n import gettext as _
from app.web.i18n import translate_problems
from app.web.workspace import KEY, analyst, form_files, main_diagram

bp = Blueprint("workspace_drafts", __name__, url_prefix="/workspace")

DRAFT = f"/{KEY}/drafts/<{ID}:draft_id>"


def _draft(actor: Actor, key: str, draft_id: int) -> ProcedureDraft:
    return drafts.get_draft(actor, draft_id, key)


def _json_error(exc: DomainError) -> ResponseReturnValue:
    body: dict[str, Any] = {"code": exc.code, "message": _(exc.message)}
    if isinstance(exc, DeployError):
        body["problems"] = translate_problems(exc.problems)
    if isinstance(exc, InvalidForm):
        body["fields"] = {k: _(v) for k, v in exc.field_errors.items()}
    return jsonify(body), exc.status


def lanes_of(files: dict[str, str]) -> dict[str, Any]:
    try:
        lanes = json.loads(files.get(LANES_FILE) or "{}")
    except json.JSONDecodeError:
        return {}
    return lanes if isinstance(lanes, dict) else {}


def editor_data(draft: ProcedureDraft, diagram_name: str | None, xml: str | None) -> dict[str, Any]:
    """What the modeler page's script needs: the diagram, the lane map, the forms with their fields, the decision
    tables (offered to business rule tasks), the values of the fields offering a fixed set (offered as what a
    flow's condition compares them with)."""
    parsed = form_files(draft.files)
    forms = {key: sorted((schema or {}).get("properties") or {}) for key, schema in parsed}
    return {"file": diagram_name, "xml": xml, "lanes": lanes_of(draft.files), "forms": forms,
            "choices": field_choices(schema for _key, schema in parsed),
            "revision": draft.revision, "key": draft.procedure_key, "roles": [r.value for r in Role],
            "handlers": sorted(handler_names()), "validators": sorted(validator_names()),
            "diagrams": sorted(n for n in draft.files if n.endswith(".bpmn")),
            "decisions": dmn.draft_decisions(draft),
            "save_url": url_for("workspace_drafts.save", key=draft.procedure_key, draft_id=draft.id),
            "check_url": url_for("workspace_drafts.check", key=draft.procedure_key, draft_id=draft.id)}


@bp.post(f"/{KEY}/drafts")
@login_required
def create(key: str) -> ResponseReturnValue:
    actor = analyst()
    raw = request.form.get("version") or ""
    try:
        draft = drafts.create_draft(actor, key, id_arg(raw),
                                    request.form.get("title"), request.form.get("name"))
    except InvalidForm as refused:
        flash(_(next(iter(refused.field_errors.values()), refused.message)), "danger")
        return redirect(url_for("workspace.index"))
    flash(_("草稿已创建：修改后可检查并部署为新版本"), "success")
    return redirect(url_for("workspace_drafts.show", key=key, draft_id=draft.id))


@bp.get(DRAFT)
@login_required
def show(key: str, draft_id: int, problems: list[dict[str, Any]] | None = None,
         note: str = "") -> ResponseReturnValue:
    actor = analyst()
    draft = _draft(actor, key, draft_id)
    wanted = request.args.get("file") or ""
    diagram_name, xml = ((wanted, draft.files[wanted]) if wanted.endswith(".bpmn") and wanted in draft.files
                         else main_diagram(draft.files, key))
    data = editor_data(draft, diagram_name, xml)
    problems = translate_problems(problems) if problems is not None else None
    data["problems"] = problems
    return render_template("workspace/draft.html", draft=draft, diagram_name=diagram_name,
                           data=data, forms=form_files(draft.files), decisions=data["decisions"],
                           problems=problems, note=note,
                           current=drafts.current_version_of(draft)), 422 if problems else 200


@bp.post(f"{DRAFT}/files")
@login_required
def save(key: str, draft_id: int) -> ResponseReturnValue:
    """JSON {files: {name: text or null}, revision?} → {revision, updated_at}. Its body may be larger than
    other pages' (save.max_body_bytes, as a deploy's): a file above a deploy's limit is refused naming it, as
    the deploy does, not by the general body limit's 413 (2 MB), which named nothing."""
    actor = analyst()
    _draft(actor, key, draft_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
        return jsonify({"code": "invalid_request", "message": _("请求格式有误")}), 400
    revision = body.get("revision")
    try:
        draft = drafts.update_draft_files(actor, draft_id, body["files"],
                                          revision if isinstance(revision, int) else None)
    except DomainError as refused:
        return _json_error(refused)
    return jsonify({"revision": draft.revision, "updated_by": draft.updated_by})


save.max_body_bytes = 16 * MAX_FILE_BYTES


@bp.post(f"{DRAFT}/check")
@login_required
def check(key: str, draft_id: int) -> ResponseReturnValue:
    """JSON {problems: [{file, element, problem}]}: what a deploy of the saved draft would refuse."""
    actor = analyst()
    _draft(actor, key, draft_id)
    return jsonify({"problems": translate_problems(drafts.check_draft(actor, draft_id))})


@bp.post(f"{DRAFT}/deploy")
@login_required
def deploy(key: str, draft_id: int) -> ResponseReturnValue:
    actor = analyst()
    _draft(actor, key, draft_id)
    note = request.form.get("note") or ""
    replacing = request.form.get("replacing") or ""
    try:
        result = drafts.deploy_draft(actor, draft_id, note, id_arg(replacing))
    except BaseVersionChanged as refused:  # the page warns already; a version deployed since it was shown
        flash(_(refused.message), "danger")
        return show(key, draft_id, note=note)
    except DeployError as refused:
        flash(_("部署未通过检查，未创建新版本：请按下方“部署检查”所列问题修改后再部署"), "danger")
        return show(key, draft_id, problems=refused.problems, note=note)
    except InvalidForm as refused:
        flash(_(refused.field_errors.get("note") or refused.message), "danger")
        return redirect(url_for("workspace_drafts.show", key=key, draft_id=draft_id))
    if result.created:
        flash(_("已部署为版本 {n}：新办件按此版本办理，办理中的办件不变", n=result.version), "success")
    elif result.state == "made_current":  # an earlier version's content: that version is current again
        flash(_("草稿内容与版本 {n} 相同，未创建新版本：版本 {n} 已重新设为当前版本，新办件按此版本办理",
                n=result.version), "warning")
    else:
        flash(_("草稿内容与当前版本 {n} 相同，未创建新版本", n=result.version), "info")
    return redirect(url_for("workspace.procedure", key=key))


@bp.post(f"{DRAFT}/delete")
@login_required
def delete(key: str, draft_id: int) -> ResponseReturnValue:
    actor = analyst()
    _draft(actor, key, draft_id)
    drafts.delete_draft(actor, draft_id)
    flash(_("草稿已删除"), "success")
    return redirect(url_for("workspace.procedure", key=key) if _known(key) else url_for("workspace.index"))


def _known(key: str) -> bool:
    return any(p.key == key for p in list_procedures())
