"""Deploy procedure versions and decide which version is current.

Three ways in, one rule set:
- `deploy_procedures` (flask procedures deploy, `make run`, the demo): the server's bpmn/ and forms/. It never
  silently replaces a version an analyst deployed through the API or the pages: when such a version is
  current and the files differ, it deploys nothing for that procedure and says which files differ
  (state "kept"), unless forced.
- `deploy_files` (the REST API, later the pages): one procedure's files with a required change note; a dry
  run validates only.
- `make_current` (a rollback, or forward again): an existing version becomes the one new cases start on.

A deploy whose content equals the current version changes nothing ("unchanged"); one equal to an earlier
version makes that version current again (recorded) instead of storing a copy; anything else is a new
version, made current. Every change of the current version is a `ProcedureChange` row (who, when, note).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.engine import LIB_VERSION, ProcedureBundle, build_bundles
from app.errors import BaseVersionChanged, Conflict, DeployError, InvalidForm, Message, NotFound
from app.extensions import db
from app.models import Actor, Procedure, ProcedureChange, ProcedureChangeKind, ProcedureVersion, VersionSource
from app.policy import require_procedure_analyst
from app.services import audit
from app.services.procedures.bundles import LANES_FILE, bundle_input_from_files, posted_name, read_bundle_input

MAX_NOTE = 2000
# The note of a deploy whose content is an earlier version's, made current again without a note of its own (stored
# in Chinese; the English pages read it by this template: app/web/stored_texts.py).
REDEPLOYED = "重新部署与版本 {version} 相同的内容"
CLI = "cli"


@dataclass(frozen=True)
class DeployOutcome:
    """What a deploy did for one procedure: state "created" (a new version, now current), "unchanged" (its
    content is the current version's), "made_current" (an earlier version with this content is current again)
    or "kept" (the current version came from an analyst and differs: nothing deployed, see `differs`)."""

    key: str
    version: int
    created: bool
    state: str = "created"
    differs: tuple[str, ...] = field(default=())


def _by(actor: Actor | None, fallback: str | None) -> str | None:
    return actor.username if actor is not None else fallback


def lanes_text(manifest: dict[str, Any]) -> str:
    """bpmn/lanes.json holding the lanes a version uses, as the version's content hash counts them."""
    lanes = {lane: rule for lane, rule in sorted((manifest.get("lanes") or {}).items()) if lane and rule}
    return json.dumps(lanes, ensure_ascii=False, indent=2) + "\n"


def version_files(files: dict[str, str], manifest: dict[str, Any]) -> dict[str, str]:
    """Every file a version needs: its diagrams, decision tables and forms, and the lane map of its lanes.
    Deployed again unchanged, they are the same content (the same version)."""
    return {**files, LANES_FILE: lanes_text(manifest)}


def changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Per file: "<name> added|removed|changed"."""
    words = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            words.append(f"{name} added")
        elif name not in new:
            words.append(f"{name} removed")
        elif old[name] != new[name]:
            words.append(f"{name} changed")
    return words


def _procedure(key: str, name: str) -> Procedure:
    """The procedure to deploy to, its row locked (PostgreSQL) so that two deploys of it at the same moment
    number their versions one after the other; a new key is added."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.key == key)
                                  .with_for_update(key_share=True, of=Procedure))
    if procedure is None:
        procedure = Procedure(key=key, name=name)
        db.session.add(procedure)
        _flush_deploy()
    return procedure


def _flush_deploy() -> None:
    """Write the deploy; another deploy of the procedure that took the same key or version number first (two
    analysts at once: a new procedure, or SQLite, where the row lock above does not exist) is a conflict."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict("该事项刚由他人部署了新版本，本次部署未保存，请刷新后重试", code="procedure_changed") from exc


def record_change(procedure: Procedure, kind: str, version: ProcedureVersion, previous_id: int | None, by: str | None,
            note: str | None, case_id: int | None = None, actor: Actor | None = None) -> None:
    """A change of the current version (or a case moved between versions) in the procedure's change log and the
    audit log: who, from which version (its number, and its id) to which, the case, the note."""
    db.session.add(ProcedureChange(procedure_id=procedure.id, kind=kind, version_id=version.id,
                                   previous_version_id=previous_id, case_id=case_id, by=by, note=note))
    previous = db.session.get(ProcedureVersion, previous_id) if previous_id is not None else None
    audit.record(actor, f"procedure.{kind}", "procedure", procedure.key, actor_name=by or "", version=version.version,
                 previous_version=previous.version if previous is not None else None,
                 previous_version_id=previous_id, case_id=case_id, note=note)


def _make_current(procedure: Procedure, version: ProcedureVersion, by: str | None, note: str | None,
                  kind: str = ProcedureChangeKind.MADE_CURRENT, actor: Actor | None = None) -> None:
    """`actor`: the analyst or admin who did it (None: the system, a deploy of the folders by command)."""
    previous = procedure.current_version_id
    procedure.current_version_id = version.id
    procedure.name = version.name
    record_change(procedure, kind, version, previous, by, note, actor=actor)


def _store(procedure: Procedure, bundle: ProcedureBundle, by: str | None, note: str | None,
           source: str, actor: Actor | None = None) -> DeployOutcome:
    """The bundle current: an existing version with its content made current again, or a new version."""
    existing = db.session.scalar(select(ProcedureVersion).where(
        ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.content_hash == bundle.content_hash))
    if existing is not None:
        _make_current(procedure, existing, by, note or REDEPLOYED.format(version=existing.version),
                      actor=actor)
        return DeployOutcome(bundle.key, existing.version, False, "made_current")
    last = db.session.scalar(select(func.max(ProcedureVersion.version)).where(
        ProcedureVersion.procedure_id == procedure.id)) or 0
    version = ProcedureVersion(procedure_id=procedure.id, version=last + 1, name=bundle.name,
                               content_hash=bundle.content_hash, files=bundle.files, manifest=bundle.manifest,
                               lib_version=LIB_VERSION, deployed_by=by, note=note, source=source)
    db.session.add(version)
    _flush_deploy()
    _make_current(procedure, version, by, note, ProcedureChangeKind.DEPLOYED, actor)
    return DeployOutcome(bundle.key, version.version, True)


def deploy_procedures(bpmn_dir: str | Path, forms_dir: str | Path, deployed_by: str | None = None,
                      force: bool = False) -> list[DeployOutcome]:
    """Validate all procedures of the folders and deploy each whose content is not the current one.

    Raises DeployError (nothing stored) when any diagram, form or mapping is broken. A procedure whose
    current version an analyst deployed (API, pages) and whose files differ is kept ("kept", with the files
    that differ) unless `force`.
    """
    outcomes = []
    for bundle in _marks_checked(build_bundles(read_bundle_input(bpmn_dir, forms_dir))):
        procedure = _procedure(bundle.key, bundle.name)
        current = procedure.current_version
        if current is not None and current.content_hash == bundle.content_hash:
            outcomes.append(DeployOutcome(bundle.key, current.version, False, "unchanged"))
        elif current is not None and current.source != VersionSource.FILES and not force:
            differs = changed_files(version_files(current.files, current.manifest),
                                    version_files(bundle.files, bundle.manifest))
            outcomes.append(DeployOutcome(bundle.key, current.version, False, "kept", tuple(differs)))
        else:
            outcomes.append(_store(procedure, bundle, deployed_by, None, VersionSource.FILES))
    db.session.flush()
    return outcomes


@dataclass(frozen=True)
class DeployResult:
    """An API or page deploy: the version now current (None after a dry run) and whether it is new."""

    key: str
    version: int | None
    note: str | None
    created: bool
    state: str = "created"  # or "unchanged" (the current version's content), "made_current" (an earlier one's)


def require_note(note: str | None) -> str:
    text = (note or "").strip()
    if not text:
        raise InvalidForm({"note": Message("请填写变更说明")}, message="部署或切换版本须填写变更说明")
    if len(text) > MAX_NOTE:
        raise InvalidForm({"note": Message("最多填写 {limit} 个字符", limit=MAX_NOTE)})
    return text


def check_files(key: str, files: dict[str, str]) -> ProcedureBundle:
    """The procedure `key` built from posted files; DeployError naming file, element and problem."""
    try:
        bundles = build_bundles(bundle_input_from_files(files))
    except DeployError as refused:
        raise DeployError([{**p, "file": posted_name(p.get("file"))} for p in refused.problems]) from refused
    bundle = next((b for b in bundles if b.key == key), None)
    if bundle is None:
        startable = "、".join(b.key for b in bundles) or Message("无")
        diagrams = sorted(name for name in files if name.endswith(".bpmn"))
        raise DeployError([{"file": diagrams[0] if diagrams else f"bpmn/{key}.bpmn", "element": key,
                            "problem": Message("文件中没有可发起的流程 “{key}”（bpmn:process id 须为 {key} 且有 "
                                               "casePrefix 属性；找到的可发起流程：{startable}）", key=key,
                                               startable=startable)}])
    return _marks_checked([bundle])[0]


def _marks_checked(bundles: list[ProcedureBundle]) -> list[ProcedureBundle]:
    """The bundles, unless a form's "x-internal" marks are refused (services/cases/internal_fields)."""
    from app.services.cases.internal_fields import bundle_problems  # imported here: it reads deployed versions

    problems = [p for bundle in bundles for p in bundle_problems(bundle.manifest, bundle.files)]
    if problems:
        raise DeployError(problems)
    return bundles


@dataclass(frozen=True)
class Replacing:
    """The version a deploy expects to be current (None: no version yet): a draft's base, or the version the
    analyst compared it with and chose to replace."""

    version: int | None


def deploy_files(actor: Actor | None, key: str, files: dict[str, str], note: str | None, dry_run: bool = False,
                 source: str = VersionSource.API, replacing: Replacing | None = None) -> DeployResult:
    """Deploy one procedure's files (other procedures in them are not deployed); a new key is a new
    procedure. A dry run validates only (DeployError lists the problems); a real deploy needs a note. With
    `replacing`, a current version other than the one expected is refused (BaseVersionChanged), read with the
    procedure's row locked: two analysts' drafts of one version cannot both deploy, the second undoing the first."""
    if actor is not None:
        require_procedure_analyst(actor)
    bundle = check_files(key, files)
    if dry_run:
        return DeployResult(key, None, None, False)
    return deploy_bundle(actor, bundle, note, source, replacing)


def deploy_bundle(actor: Actor | None, bundle: ProcedureBundle, note: str | None, source: str,
                  replacing: Replacing | None = None) -> DeployResult:
    """Store a checked bundle (check_files) as the procedure's current version, as deploy_files does; the
    caller has checked the actor may deploy."""
    key = bundle.key
    text = require_note(note)
    procedure = _procedure(bundle.key, bundle.name)
    current = procedure.current_version
    if replacing is not None and replacing.version != (current.version if current is not None else None):
        raise _base_changed(replacing.version, current)
    if current is not None and current.content_hash == bundle.content_hash:
        return DeployResult(key, current.version, current.note, False, "unchanged")
    outcome = _store(procedure, bundle, _by(actor, CLI), text, source, actor)
    db.session.flush()
    return DeployResult(key, outcome.version, text, outcome.created, outcome.state)


def _base_changed(base: int | None, current: ProcedureVersion | None) -> BaseVersionChanged:
    details = {"base_version": base, "current_version": current.version if current is not None else None}
    if current is None:
        return BaseVersionChanged(Message("草稿所基于的版本 {base} 已不是当前版本，请刷新后再部署", base=base),
                                  details=details)
    by = current.deployed_by or "—"
    message = (Message("草稿基于版本 {base}，当前版本已是 {current}（{by} 部署）：直接部署会取代版本 {current} 的修改。"
                       "请先比较版本 {base} 与 {current}，确认后再部署", base=base, current=current.version, by=by)
               if base is not None else
               Message("草稿为新事项，但该事项已有版本 {current}（{by} 部署）：直接部署会取代它。"
                       "请先查看版本 {current}，确认后再部署", current=current.version, by=by))
    return BaseVersionChanged(message, details=details)


def get_procedure(key: str) -> Procedure:
    procedure = db.session.scalar(select(Procedure).where(Procedure.key == key))
    if procedure is None:
        raise NotFound(Message("未找到事项 {key}", key=key), code="procedure_not_found")
    return procedure


def get_version(procedure: Procedure, number: int) -> ProcedureVersion:
    version = db.session.scalar(select(ProcedureVersion).where(
        ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.version == number))
    if version is None:
        raise NotFound(Message("事项 {key} 没有版本 {number}", key=procedure.key, number=number),
                       code="procedure_version_not_found")
    return version


def make_current(actor: Actor | None, key: str, number: int, note: str | None) -> ProcedureVersion:
    """Make version `number` the one new cases start on (a rollback, or forward again), recorded with the
    note; running cases stay on theirs. Already current: nothing changes."""
    if actor is not None:
        require_procedure_analyst(actor)
    text = require_note(note)
    procedure = get_procedure(key)
    version = get_version(procedure, number)
    if procedure.current_version_id != version.id:
        _make_current(procedure, version, _by(actor, CLI), text, actor=actor)
        db.session.flush()
    return version
