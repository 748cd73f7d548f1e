"""Diagrams made in other tools, brought into ours: Camunda 7 (camunda:), Camunda 8 (zeebe:) and SpiffArena
(spiffworkflow:) exports. What maps to our properties is converted (forms, start form, decision tables,
properties, JUEL/FEEL conditions that translate to Python, a case prefix given by the analyst), what does not is
listed element by element, and the converted files are checked as a deploy's dry run would: the modeler shows
the three lists and opens the converted diagram. `import_files` stores nothing; `import_as_draft` (the import page)
keeps the converted files as a new draft of the process they hold, which the analyst then completes in the
modeler, tries in the sandbox and deploys."""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from app.engine import build_bundles, convert
from app.errors import DeployError, Message
from app.extensions import db
from app.models import Actor, Procedure, ProcedureDraft
from app.policy import require_procedure_analyst
from app.services import audit
from app.services.procedures.bundles import (
    LANES_FILE,
    MAX_FILE_BYTES,
    MAX_FILES,
    bundle_input_from_files,
    file_problems,
    posted_name,
)
from app.services.procedures.drafts import MAX_TITLE, NEW_KEY

Problem = dict[str, str | None]


@dataclass(frozen=True)
class ImportResult:
    source: str  # camunda, zeebe, spiffarena or bpmn (none of their extensions)
    files: dict[str, str]
    converted: list[Problem]
    unmapped: list[Problem]
    problems: list[Problem]  # the deploy's refusal of the converted files (none: they deploy as they are)
    procedures: list[str] = field(default_factory=list)  # the startable processes, when they deploy
    processes: list[tuple[str, str | None]] = field(default_factory=list)  # (id, name) of every process


def _mapped_lanes(files: dict[str, str]) -> set[str]:
    try:
        lanes = json.loads(files.get(LANES_FILE) or "{}")
    except json.JSONDecodeError:
        return set()
    return set(lanes) if isinstance(lanes, dict) else set()


def import_files(actor: Actor | None, files: dict[str, str], case_prefix: str | None = None) -> ImportResult:
    """Convert the posted files (names as a deploy takes them) and check the result; DeployError when a file
    is refused before it is read (its name, size, or XML with a DTD)."""
    if actor is not None:
        require_procedure_analyst(actor)
    refused = file_problems(files)
    if refused:
        raise DeployError(refused)
    conversion = convert(files, case_prefix, _mapped_lanes(files))
    problems, procedures = _checked(conversion.files)
    return ImportResult(conversion.source, conversion.files, conversion.converted, conversion.unmapped, problems,
                        procedures, conversion.processes)


def _checked(files: dict[str, str]) -> tuple[list[Problem], list[str]]:
    """(the deploy's refusal of the files, the startable processes when there is none)."""
    try:
        bundles = build_bundles(bundle_input_from_files(files))
    except DeployError as exc:
        return [{**p, "file": posted_name(p.get("file"))} for p in exc.problems], []
    return [], [b.key for b in bundles]


def files_from_uploads(uploads: list[tuple[str, bytes]]) -> tuple[dict[str, str], list[Problem]]:
    """Uploaded files (name, bytes) as a deploy names them: a diagram or decision table (.bpmn, .dmn) under
    bpmn/, `lanes.json` as the lane map, another .json as a form; (files, the uploads refused and why)."""
    files: dict[str, str] = {}
    refused: list[Problem] = []
    for raw_name, content in uploads[:MAX_FILES]:
        name = posixpath.basename(raw_name.replace("\\", "/")).strip()
        if name.endswith((".bpmn", ".dmn", ".xml")):
            target = "bpmn/" + (name[:-4] + ".bpmn" if name.endswith(".xml") else name)
        elif name == "lanes.json":
            target = LANES_FILE
        elif name.endswith(".json"):
            target = "forms/" + name
        else:
            refused.append({"file": name, "element": None,
                            "problem": Message("只能导入 .bpmn、.dmn 和 .json 文件")})
            continue
        if len(content) > MAX_FILE_BYTES:
            refused.append({"file": name, "element": None, "problem": Message("文件超过 1 MB")})
            continue
        try:
            files[target] = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            refused.append({"file": name, "element": None, "problem": Message("文件不是 UTF-8 编码的文本")})
    if not files and not refused:
        refused.append({"file": None, "element": None, "problem": Message("请选择要导入的文件")})
    return files, refused


def _key_for(process_id: str) -> str | None:
    """A procedure key (3–60 lower-case letters, digits, underscores, a letter first) from a process id."""
    if NEW_KEY.match(process_id):
        return process_id
    key = re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]", "_", process_id.lower())).strip("_")
    key = re.sub(r"^[^a-z]+", "", key)[:60]
    return key if NEW_KEY.match(key) else None


def _renamed(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    """The diagrams with the process id `old` (as an id and where it is referenced) renamed to `new`."""
    return {name: text.replace(f'"{old}"', f'"{new}"') if name.endswith(".bpmn") else text
            for name, text in files.items()}


@dataclass(frozen=True)
class ImportedDraft:
    result: ImportResult
    draft: ProcedureDraft | None  # None: nothing to keep (no process, or its id cannot be a procedure key)
    key: str | None


def import_as_draft(actor: Actor, files: dict[str, str], case_prefix: str | None = None,
                    title: str | None = None) -> ImportedDraft:
    """Convert the files and keep the result as a new draft of the (first startable) process they hold: the
    converted, unmapped and problems lists say element by element what was kept, dropped and why. A process id
    that is not a procedure key is renamed to one (listed as converted). DeployError: a file not read at all."""
    result = import_files(actor, files, case_prefix)
    process_id = result.procedures[0] if result.procedures else (result.processes[0][0] if result.processes else "")
    name = dict(result.processes).get(process_id) or process_id
    if not process_id:
        none: Problem = {"file": None, "element": None, "name": None,
                         "problem": Message("文件中没有流程 (bpmn:process)，未建立草稿")}
        return ImportedDraft(ImportResult(result.source, result.files, result.converted, [*result.unmapped, none],
                                          result.problems, [], result.processes), None, None)
    key = _key_for(process_id)
    converted: list[Problem] = list(result.converted)
    unmapped: list[Problem] = list(result.unmapped)
    converted_files, problems = dict(result.files), list(result.problems)
    if key is None:
        unmapped.append({"file": None, "element": process_id, "name": name, "problem": Message(
            "流程 id 不能作为事项编码（须为 3–60 个小写字母、数字或下划线，以字母开头）：请修改流程 id 后重新导入")})
        return ImportedDraft(ImportResult(result.source, converted_files, converted, unmapped, problems, [],
                                          result.processes), None, None)
    if key != process_id:
        converted_files = _renamed(converted_files, process_id, key)
        converted.append({"file": None, "element": process_id, "name": name,
                          "problem": Message("流程 id {old} → {new}（事项编码）", old=process_id, new=key)})
        problems, _procedures = _checked(converted_files)
    draft_title = ((title or "").strip() or f"导入：{name}")[:MAX_TITLE]
    existing = db.session.scalar(select(Procedure).where(Procedure.key == key))
    draft = ProcedureDraft(procedure_key=key, title=draft_title, files=converted_files,
                           base_version=existing.current_version.version
                           if existing is not None and existing.current_version is not None else None,
                           author=actor.username, updated_by=actor.username, revision=1)
    db.session.add(draft)
    db.session.flush()
    audit.record(actor, "procedure.imported", "procedure_draft", draft.id, procedure=key, source=result.source,
                 files=sorted(converted_files), unmapped=len(unmapped), problems=len(problems))
    return ImportedDraft(ImportResult(result.source, converted_files, converted, unmapped, problems,
                                      [key] if not problems else [], result.processes), draft, key)
