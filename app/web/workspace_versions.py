"""Comparing two versions of a procedure (the diagram coloured by bpmn-js-differ, the forms' fields and the other
files listed) and moving open cases from one version to another (a dry run, then the move), for analysts and
admins."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.errors import DomainError
from app.routing import id_arg
from app.services.procedures import catalog
from app.services.procedures import diff as version_diff
from app.services.procedures.migration import MigrationResult, migrate_cases
from app.web.i18n import diagram_xml, join_reasons
from app.web.i18n import gettext as _
from app.web.workspace import KEY, analyst, main_diagram, version_number

bp = Blueprint("workspace_versions", __name__, url_prefix="/workspace")


def _number(value: str | None, default: int) -> int:
    """The version a form or link names, the default when it names none; one it cannot name is refused (404),
    not replaced by the default (a migration would have moved cases from another version than asked)."""
    return version_number(value) if (value or "").strip() else default


@bp.get(f"/{KEY}/diff")
@login_required
def diff(key: str) -> ResponseReturnValue:
    actor = analyst()
    detail = catalog.procedure_detail(actor, key)
    numbers = [v.version for v in detail.versions]
    new = _number(request.args.get("new"), numbers[-1] if numbers else 1)
    old = _number(request.args.get("old"), numbers[-2] if len(numbers) > 1 else new)
    changes = version_diff.diff_versions(actor, key, old, new)
    old_name, old_xml = main_diagram(catalog.files_of_version(actor, key, old), key)
    new_name, new_xml = main_diagram(catalog.files_of_version(actor, key, new), key)
    return render_template("workspace/diff.html", procedure=detail, old=old, new=new, changes=changes,
                           data={"old": diagram_xml(old_xml), "new": diagram_xml(new_xml), "old_file": old_name,
                                 "new_file": new_name})


def _mapping(text: str) -> dict[str, str]:
    """Lines "old_id=new_id" (renamed steps)."""
    pairs = {}
    for line in text.splitlines():
        old, sep, new = line.partition("=")
        if sep and old.strip() and new.strip():
            pairs[old.strip()[:100]] = new.strip()[:100]
    return pairs


@bp.route(f"/{KEY}/migration", methods=["GET", "POST"])
@login_required
def migration(key: str) -> ResponseReturnValue:
    actor = analyst()
    detail = catalog.procedure_detail(actor, key)
    form = request.form if request.method == "POST" else request.args
    source = _number(form.get("from_version"), next((v.version for v in detail.versions if v.running_cases
                                                     and v.version != detail.version), 1))
    target = _number(form.get("to_version"), detail.version or 1)
    mapping_text = form.get("mapping", "")
    results: list[MigrationResult] | None = None
    error = None
    migrated = False
    if request.method == "POST":
        migrated = form.get("action") == "migrate"
        case_ids = [i for i in map(id_arg, request.form.getlist("case_id")) if i is not None][:1000]
        if migrated and not case_ids:  # nothing ticked: list the cases again (None would mean all of them)
            migrated, error = False, _("请勾选要迁移的办件")
        try:
            results = migrate_cases(actor, key, source, target, case_ids if migrated else None,
                                    _mapping(mapping_text), dry_run=not migrated)
        except DomainError as refused:
            error = _(refused.message)
        if migrated:  # the versions' counts of open cases, after the move
            detail = catalog.procedure_detail(actor, key)
    return render_template("workspace/migration.html", procedure=detail, source=source, target=target,
                           mapping=mapping_text, results=results, error=error, migrated=migrated,
                           reason_of=lambda result: join_reasons(result.reasons or [result.reason or ""]))
