"""Deployed procedures and versions: list them, the current version of a procedure, and a version's manifest,
files, forms and parsed definition (read once per process). Deploying is services/procedures/deploy.py."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select

from app.engine import Definition, clear_definition_cache, flow_order, load_definition
from app.errors import Message, NotFound
from app.extensions import db
from app.models import Procedure, ProcedureVersion
from app.services.procedures.deploy import DeployOutcome as DeployOutcome  # re-exported for its callers
from app.services.procedures.deploy import deploy_procedures as deploy_procedures


def list_procedures() -> list[Procedure]:
    return list(db.session.scalars(select(Procedure).order_by(Procedure.key)))


_PROCEDURE_BY_KEY = select(Procedure).where(Procedure.key == bindparam("key"))  # every start reads it


def get_current_version(key: str) -> ProcedureVersion:
    procedure = db.session.scalar(_PROCEDURE_BY_KEY, {"key": key})
    if procedure is None or procedure.current_version is None:
        raise NotFound(Message("未找到事项 {key}", key=key), code="procedure_not_found")
    return procedure.current_version


def list_versions(key: str) -> list[ProcedureVersion]:
    return list(db.session.scalars(
        select(ProcedureVersion).join(Procedure, ProcedureVersion.procedure_id == Procedure.id)
        .where(Procedure.key == key).order_by(ProcedureVersion.version)))


# A deployed version never changes: its manifest and files are read once per process, by id, and shared
# read-only (callers copy what they change). Bounded: a long-running process meets few versions.
_MANIFESTS: dict[int, dict[str, Any]] = {}
_FILES: dict[int, dict[str, str]] = {}
_FORMS: dict[tuple[int, str], dict[str, Any]] = {}
_NUMBERS: dict[int, int] = {}
_DERIVED: dict[tuple[int, str], Any] = {}
# Chinese name -> English of every deployed version's elements, with the highest version id it was built at.
_ENGLISH: dict[str, Any] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 512


def _cached(cache: dict[int, Any], version_id: int, column: Any) -> Any:
    with _CACHE_LOCK:
        if version_id in cache:
            return cache[version_id]
    value = db.session.scalar(select(column).where(ProcedureVersion.id == version_id))
    if value is None:
        raise NotFound(Message("未找到流程版本 {id}", id=version_id), code="procedure_version_not_found")
    with _CACHE_LOCK:
        if len(cache) >= _CACHE_MAX:
            cache.pop(next(iter(cache)))
        cache[version_id] = value
    return value


def clear_version_caches() -> None:
    """Forget what this process read of deployed versions (tests: another database behind the same ids)."""
    with _CACHE_LOCK:
        _MANIFESTS.clear()
        _FILES.clear()
        _FORMS.clear()
        _NUMBERS.clear()
        _DERIVED.clear()
        _ENGLISH.clear()
    clear_definition_cache()


T = TypeVar("T")


def derived(version_id: int, name: str, compute: Callable[[], T]) -> T:
    """Something computed from a deployed version (e.g. the order of its forms), once per process."""
    key = (version_id, name)
    with _CACHE_LOCK:
        if key in _DERIVED:
            found: T = _DERIVED[key]
            return found
    value = compute()
    with _CACHE_LOCK:
        _DERIVED[key] = value
    return value


def form_keys_in_order(version_id: int) -> list[str]:
    """The version's forms in the order a case meets them: the start form, then the user tasks' forms in
    the order the diagram's flow reaches the tasks (tasks it does not reach, e.g. in a called process, in
    the manifest's order), then any other form by name."""
    return derived(version_id, "form_order", lambda: _form_order(version_id))


def _form_order(version_id: int) -> list[str]:
    manifest, files = manifest_of(version_id), files_of(version_id)
    tasks: dict[str, Any] = manifest.get("tasks") or {}
    rank = {bpmn_id: i for i, bpmn_id in enumerate(flow_order(files, manifest.get("key", "")))}
    by_flow = sorted(tasks, key=lambda bpmn_id: rank.get(bpmn_id, len(rank)))  # stable: the rest as listed
    named = sorted(name[len("forms/"):-len(".json")] for name in files
                   if name.startswith("forms/") and name.endswith(".json"))
    candidates = [(manifest.get("properties") or {}).get("startForm"),
                  *((tasks[t] or {}).get("form_key") for t in by_flow), *named]
    return [key for i, key in enumerate(candidates) if key in named and key not in candidates[:i]]


def label_of(version_id: int) -> tuple[str, int]:
    """(name, version number) of a deployed version."""
    manifest = manifest_of(version_id)
    return manifest.get("name") or manifest["key"], _version_numbers(version_id)


def _version_numbers(version_id: int) -> int:
    number: int = _cached(_NUMBERS, version_id, ProcedureVersion.version)
    return number


def manifest_of(version_id: int) -> dict[str, Any]:
    """The version's manifest (prefix, start roles, properties, task metadata): shared, read-only."""
    manifest: dict[str, Any] = _cached(_MANIFESTS, version_id, ProcedureVersion.manifest)
    return manifest


def english_names() -> dict[str, str]:
    """The English names (`nameEn`) the deployed diagrams give their procedure, steps, lanes, events and
    gateways, by Chinese name (a later version's English wins): what task rows, case titles, history and
    dashboards hold is the Chinese name. One light statement per call (built again after a deploy)."""
    last = db.session.scalar(select(func.max(ProcedureVersion.id)))
    with _CACHE_LOCK:
        if "names" in _ENGLISH and _ENGLISH.get("last") == last:
            names: dict[str, str] = _ENGLISH["names"]
            return names
    names = {}
    for version_id in db.session.scalars(select(ProcedureVersion.id).order_by(ProcedureVersion.id)):
        names.update(manifest_of(version_id).get("names_en") or {})
    with _CACHE_LOCK:
        _ENGLISH.update(last=last, names=names)
    return names


def files_of(version_id: int) -> dict[str, str]:
    """The version's files (bpmn/…, forms/…) as deployed: shared, read-only."""
    files: dict[str, str] = _cached(_FILES, version_id, ProcedureVersion.files)
    return files


def form_of(version_id: int, form_key: str) -> dict[str, Any]:
    """A form's JSON Schema as deployed with the version (parsed once): shared, read-only."""
    key = (version_id, form_key)
    with _CACHE_LOCK:
        if key in _FORMS:
            return _FORMS[key]
    text = files_of(version_id).get(f"forms/{form_key}.json")
    if text is None:
        raise NotFound(Message("未找到表单 {form}", form=form_key), code="form_not_found")
    schema: dict[str, Any] = json.loads(text)
    with _CACHE_LOCK:
        _FORMS[key] = schema
    return schema


def definition_of(version_id: int) -> Definition:
    return load_definition(version_id, manifest_of(version_id)["key"], lambda: files_of(version_id))
