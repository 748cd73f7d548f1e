"""Diagrams made in other tools, brought into ours: Camunda 7 (camunda:), Camunda 8 (zeebe:) and SpiffArena
(spiffworkflow:) exports. What maps to our properties is converted (forms, start form, decision tables,
properties, JUEL/FEEL conditions that translate to Python, a case prefix given by the analyst), what does not is
listed element by element, and the converted files are checked as a deploy's dry run would: the modeler shows
the three lists and opens the converted diagram. Nothing is stored."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from app.engine import build_bundles, convert
from app.errors import DeployError
from app.models import Actor
from app.policy import require_procedure_analyst
from app.services.procedures.bundles import LANES_FILE, bundle_input_from_files, file_problems, posted_name

Problem = dict[str, str | None]


@dataclass(frozen=True)
class ImportResult:
    source: str  # camunda, zeebe, spiffarena or bpmn (none of their extensions)
    files: dict[str, str]
    converted: list[Problem]
    unmapped: list[Problem]
    problems: list[Problem]  # the deploy's refusal of the converted files (none: they deploy as they are)
    procedures: list[str] = field(default_factory=list)  # the startable processes, when they deploy


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
    try:
        bundles = build_bundles(bundle_input_from_files(conversion.files))
    except DeployError as exc:
        problems = [{**p, "file": posted_name(p.get("file"))} for p in exc.problems]
        return ImportResult(conversion.source, conversion.files, conversion.converted, conversion.unmapped,
                            problems)
    return ImportResult(conversion.source, conversion.files, conversion.converted, conversion.unmapped, [],
                        [b.key for b in bundles])
