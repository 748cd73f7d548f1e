"""The import page of the workspace (analysts and admins): diagrams exported from Camunda Modeler (camunda:,
zeebe:) or SpiffArena, with their decision tables, forms and lane map, converted into a new draft; what maps is
listed as converted, what does not is listed element by element (id, name, what was dropped and why), with the
deploy checks the draft still fails. The conversion is services/procedures/import_conversion.py's."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.errors import DeployError
from app.services.procedures import import_conversion
from app.services.procedures.bundles import MAX_FILE_BYTES, MAX_FILES
from app.web.workspace import analyst

bp = Blueprint("workspace_imports", __name__, url_prefix="/workspace")

SOURCES = {"camunda": "Camunda 7（camunda: 扩展）", "zeebe": "Camunda 8（zeebe: 扩展）", "spiffarena": "SpiffArena",
           "bpmn": "BPMN（无扩展）"}


@bp.get("/import")
@login_required
def form() -> ResponseReturnValue:
    analyst()
    return render_template("workspace/import.html", outcome=None, refused=[], case_prefix="", title="")


@bp.post("/import")
@login_required
def upload() -> ResponseReturnValue:
    actor = analyst()
    uploads = [(f.filename or "", f.stream.read(MAX_FILE_BYTES + 1))
               for f in request.files.getlist("files")[:MAX_FILES] if f and f.filename]
    files, refused = import_conversion.files_from_uploads(uploads)
    prefix = (request.form.get("case_prefix") or "").strip().upper()[:6] or None
    title = (request.form.get("title") or "").strip()
    outcome: Any = None
    if files:
        try:
            outcome = import_conversion.import_as_draft(actor, files, prefix, title)
        except DeployError as exc:  # a file not read at all (its name, its size, a DTD)
            refused += exc.problems
    status = 200 if outcome is not None and outcome.draft is not None else 422
    return render_template("workspace/import.html", outcome=outcome, refused=refused, sources=SOURCES,
                           case_prefix=prefix or "", title=title), status
