"""What analysts (and API clients) read of procedures: each procedure's start form for the caller, its versions
with who deployed them, why, and how many cases run on each, and a version's files as a repository holds them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import OPEN_STATUSES, Actor, Case, Procedure, ProcedureVersion
from app.policy import require_procedure_analyst
from app.services.procedures import forms
from app.services.procedures.deploy import get_procedure, get_version, version_files
from app.services.procedures.versions import files_of, manifest_of


def start_form(actor: Actor, version_id: int) -> dict[str, Any] | None:
    """The start data's JSON Schema with the caller's choices as oneOf (no case yet), or None when the
    procedure starts without data."""
    key = (manifest_of(version_id).get("properties") or {}).get("startForm")
    if not key:
        return None
    return forms.render_schema(forms.form_schema(version_id, key), actor, None)


@dataclass(frozen=True)
class VersionInfo:
    version: int
    deployed_at: datetime
    deployed_by: str | None
    note: str | None
    content_hash: str
    source: str
    running_cases: int


@dataclass(frozen=True)
class ProcedureDetail:
    key: str
    name: str
    version: int | None  # the current one
    start_form: dict[str, Any] | None
    versions: list[VersionInfo]


def _running_cases(procedure: Procedure) -> dict[int, int]:
    rows = db.session.execute(
        select(Case.procedure_version_id, func.count()).join(
            ProcedureVersion, ProcedureVersion.id == Case.procedure_version_id)
        .where(ProcedureVersion.procedure_id == procedure.id, Case.status.in_(OPEN_STATUSES))
        .group_by(Case.procedure_version_id))
    return {version_id: count for version_id, count in rows}


def procedure_detail(actor: Actor, key: str) -> ProcedureDetail:
    """A procedure with its current version and every version (oldest first)."""
    require_procedure_analyst(actor)
    procedure = get_procedure(key)
    running = _running_cases(procedure)
    versions = db.session.scalars(select(ProcedureVersion).where(ProcedureVersion.procedure_id == procedure.id)
                                  .order_by(ProcedureVersion.version))
    current = procedure.current_version
    return ProcedureDetail(
        procedure.key, procedure.name, current.version if current else None,
        start_form(actor, current.id) if current else None,
        [VersionInfo(v.version, v.deployed_at, v.deployed_by, v.note, v.content_hash, v.source,
                     running.get(v.id, 0)) for v in versions])


def files_of_version(actor: Actor, key: str, number: int) -> dict[str, str]:
    """Every file version `number` needs (diagrams, decision tables, forms, the lane map of its lanes):
    posted back unchanged, they are that version again."""
    require_procedure_analyst(actor)
    version = get_version(get_procedure(key), number)
    return version_files(files_of(version.id), manifest_of(version.id))
