"""The procedure workspace (analysts and admins): every procedure with its versions, a version's diagram and
forms, its files as a zip, making a version current (a rollback) with a note. Drafts and the modeler are in
workspace_drafts.py; the diff and migration pages in workspace_versions.py."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.errors import InvalidForm, NotFound
from app.models import Actor
from app.policy import require_procedure_analyst
from app.routing import whole_number
from app.services.procedures import catalog, deploy, dmn, drafts
from app.services.procedures.versions import list_procedures
from app.web.form_rendering import fields_from_schema
from app.web.i18n import diagram_xml
from app.web.i18n import gettext as _

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

KEY = "<string(maxlength=100):key>"
MAX_VERSION = 1_000_000  # no procedure gets near it; a larger number (or thousands of digits) names no version
# ASCII digits only: werkzeug's `int` also read "１" and "١" as version 1
VERSION = f"<id(min=1, max={MAX_VERSION}):number>"


def analyst() -> Actor:
    """The signed-in analyst or admin (anyone else: 403)."""
    actor = session_actor()
    require_procedure_analyst(actor)
    return actor


def version_number(text: str | None) -> int:
    """A version number from a form or a query string: 1..MAX_VERSION in ASCII digits, else no version is named
    (404; int() would refuse thousands of digits with a 500, read "１", and overflow the integer column)."""
    number = whole_number((text or "").strip(), MAX_VERSION)
    if not number:
        raise NotFound("未找到该版本", code="procedure_version_not_found")
    return number


def main_diagram(files: dict[str, str], key: str) -> tuple[str | None, str | None]:
    """(file name, XML) of the diagram holding the procedure's process (else the first diagram)."""
    diagrams = sorted(name for name in files if name.endswith(".bpmn"))
    for name in diagrams:
        if f'id="{key}"' in files[name]:
            return name, files[name]
    return (diagrams[0], files[diagrams[0]]) if diagrams else (None, None)


def form_files(files: dict[str, str]) -> list[tuple[str, dict[str, Any] | None]]:
    """(form key, parsed schema or None when it does not parse) of each form file, by name."""
    found = []
    for name in sorted(files):
        if name.startswith("forms/") and name.endswith(".json"):
            try:
                schema = json.loads(files[name])
            except json.JSONDecodeError:
                schema = None
            found.append((name[len("forms/"):-len(".json")], schema if isinstance(schema, dict) else None))
    return found


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = analyst()
    details = [catalog.procedure_detail(actor, p.key) for p in list_procedures()]
    known = {d.key for d in details}
    new_drafts = [d for d in drafts.list_drafts(actor) if d.procedure_key not in known]
    return render_template("workspace/index.html", procedures=details, new_drafts=new_drafts)


@bp.get(f"/{KEY}")
@login_required
def procedure(key: str) -> ResponseReturnValue:
    actor = analyst()
    detail = catalog.procedure_detail(actor, key)
    return render_template("workspace/procedure.html", procedure=detail, drafts=drafts.list_drafts(actor, key))


@bp.get(f"/{KEY}/versions/{VERSION}")
@login_required
def version(key: str, number: int) -> ResponseReturnValue:
    actor = analyst()
    detail = catalog.procedure_detail(actor, key)
    files = catalog.files_of_version(actor, key, number)
    diagram_name, xml = main_diagram(files, key)
    info = next(v for v in detail.versions if v.version == number)
    forms = [(form_key, schema, fields_from_schema(schema) if schema else [])
             for form_key, schema in form_files(files)]
    return render_template("workspace/version.html", procedure=detail, info=info, files=files,
                           diagram_name=diagram_name, diagram={"xml": diagram_xml(xml), "completed": [], "current": []},
                           forms=forms, decisions=dmn.decision_tables(actor, key, number))


@bp.get(f"/{KEY}/versions/{VERSION}/files.zip")
@login_required
def version_zip(key: str, number: int) -> ResponseReturnValue:
    files = catalog.files_of_version(analyst(), key, number)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"{key}-v{number}.zip")


@bp.post(f"/{KEY}/current")
@login_required
def make_current(key: str) -> ResponseReturnValue:
    actor = analyst()
    if not (request.form.get("version") or "").strip():
        flash(_("请选择版本"), "danger")
        return redirect(url_for("workspace.procedure", key=key))
    number = version_number(request.form.get("version"))
    try:
        deploy.make_current(actor, key, number, request.form.get("note"))
    except InvalidForm as refused:
        flash(_(refused.field_errors.get("note") or refused.message), "danger")
        return redirect(url_for("workspace.procedure", key=key))
    flash(_("版本 {number} 已设为当前版本：新办件按此版本办理，办理中的办件不变", number=number), "success")
    return redirect(url_for("workspace.procedure", key=key))
