"""Deploy procedures from bpmn/ and forms/, list them, and load a version's parsed definition."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select

from app.engine import LIB_VERSION, BundleInput, Definition, build_bundles, load_definition
from app.errors import NotFound
from app.extensions import db
from app.models import Procedure, ProcedureVersion, Role
from app.services.deadlines.limits import check_limit_property, check_process_property
from app.services.procedures.registry import choice_names, handler_names, validator_names


@dataclass(frozen=True)
class DeployOutcome:
    key: str
    version: int
    created: bool


def read_bundle_input(bpmn_dir: str | Path, forms_dir: str | Path) -> BundleInput:
    bpmn_path, forms_path = Path(bpmn_dir), Path(forms_dir)
    lanes_file = bpmn_path / "lanes.json"
    lanes = json.loads(lanes_file.read_text("utf-8")) if lanes_file.exists() else {}
    return BundleInput(
        bpmn={p.name: p.read_bytes() for p in sorted(bpmn_path.glob("*.bpmn"))},
        dmn={p.name: p.read_bytes() for p in sorted(bpmn_path.glob("*.dmn"))},
        forms={p.name: p.read_text("utf-8") for p in sorted(forms_path.glob("*.json"))},
        lanes=lanes,
        handler_names=handler_names(),
        roles={r.value for r in Role},
        task_property_check=_check_task_property,
        process_property_check=check_process_property,
        choice_names=choice_names(),
        script_functions=_script_functions(),
    )


def _script_functions() -> dict[str, Callable[..., Any]]:
    """The functions the step pipeline's engine offers scripts and timers: deploy evaluates timers with them."""
    from app.services.steps import ENGINE  # steps imports this module (definition_of)

    return dict(ENGINE.script_functions)


def _check_task_property(name: str, value: str) -> str | None:
    if name == "validator" and value not in validator_names():
        return f"未注册的表单校验程序 (unknown validator) '{value}'"
    return check_limit_property(name, value)


def deploy_procedures(bpmn_dir: str | Path, forms_dir: str | Path,
                      deployed_by: str | None = None) -> list[DeployOutcome]:
    """Validate all procedures and store a new version of each whose content changed.

    Raises DeployError (nothing stored) when any diagram, form or mapping is broken.
    """
    bundles = build_bundles(read_bundle_input(bpmn_dir, forms_dir))
    outcomes = []
    for bundle in bundles:
        procedure = db.session.scalar(select(Procedure).where(Procedure.key == bundle.key))
        if procedure is None:
            procedure = Procedure(key=bundle.key, name=bundle.name)
            db.session.add(procedure)
            db.session.flush()
        existing = db.session.scalar(select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id,
            ProcedureVersion.content_hash == bundle.content_hash))
        if existing is not None:
            outcomes.append(DeployOutcome(bundle.key, existing.version, False))
            continue
        last = db.session.scalar(select(func.max(ProcedureVersion.version)).where(
            ProcedureVersion.procedure_id == procedure.id)) or 0
        version = ProcedureVersion(procedure_id=procedure.id, version=last + 1, name=bundle.name,
                                   content_hash=bundle.content_hash, files=bundle.files,
                                   manifest=bundle.manifest, lib_version=LIB_VERSION,
                                   deployed_by=deployed_by)
        db.session.add(version)
        db.session.flush()
        procedure.name = bundle.name
        procedure.latest_version_id = version.id
        outcomes.append(DeployOutcome(bundle.key, version.version, True))
    db.session.flush()
    return outcomes


def list_procedures() -> list[Procedure]:
    return list(db.session.scalars(select(Procedure).order_by(Procedure.key)))


_PROCEDURE_BY_KEY = select(Procedure).where(Procedure.key == bindparam("key"))  # every start reads it


def get_latest_version(key: str) -> ProcedureVersion:
    procedure = db.session.scalar(_PROCEDURE_BY_KEY, {"key": key})
    if procedure is None or procedure.latest_version is None:
        raise NotFound(f"未找到事项 {key}", code="procedure_not_found")
    return procedure.latest_version


def list_versions(key: str) -> list[ProcedureVersion]:
    return list(db.session.scalars(
        select(ProcedureVersion).join(Procedure, ProcedureVersion.procedure_id == Procedure.id)
        .where(Procedure.key == key).order_by(ProcedureVersion.version)))


def definition_of(version: ProcedureVersion) -> Definition:
    return load_definition(version.id, version.manifest["key"], lambda: version.files)
