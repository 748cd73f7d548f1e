"""What changed between two versions of a procedure, per file: the elements of diagrams and decision tables
added, removed or changed (by id; layout left out), the fields of forms and the lanes of the lane map. For
`flask procedures diff` and the analysts' pages (a visual diff colours the same ids)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.engine import element_signatures
from app.models import Actor
from app.policy import require_procedure_analyst
from app.services.procedures.deploy import get_procedure, get_version, version_files
from app.services.procedures.versions import files_of, manifest_of


@dataclass(frozen=True)
class FileDiff:
    """One file: "added", "removed", "changed" or "unchanged"; for a changed one, the ids of its elements
    (diagrams, tables), fields (forms) or lanes (lane map) added, removed and changed, and for a form whether
    anything besides its fields changed (title, rules)."""

    file: str
    status: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    other_changes: bool = False


def _compare(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    return (sorted(set(new) - set(old)), sorted(set(old) - set(new)),
            sorted(k for k in set(old) & set(new) if old[k] != new[k]))


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {}


def _form_parts(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(field -> its schema and whether it is required, the rest of the form)."""
    schema = _json(text)
    schema = schema if isinstance(schema, dict) else {}
    required = set(schema.get("required") or [])
    fields = {name: (spec, name in required) for name, spec in (schema.get("properties") or {}).items()}
    rest = {k: v for k, v in schema.items() if k not in ("properties", "required")}
    return fields, rest


def diff_file(name: str, old: str, new: str) -> FileDiff:
    if old == new:
        return FileDiff(name, "unchanged")
    if name.endswith((".bpmn", ".dmn")):
        return FileDiff(name, "changed", *_compare(element_signatures(old), element_signatures(new)))
    if name.startswith("forms/"):
        (old_fields, old_rest), (new_fields, new_rest) = _form_parts(old), _form_parts(new)
        return FileDiff(name, "changed", *_compare(old_fields, new_fields), other_changes=old_rest != new_rest)
    return FileDiff(name, "changed", *_compare(_json(old), _json(new)))


def diff_files(old: dict[str, str], new: dict[str, str]) -> list[FileDiff]:
    """Per file of either set, in name order."""
    diffs = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            diffs.append(FileDiff(name, "added"))
        elif name not in new:
            diffs.append(FileDiff(name, "removed"))
        else:
            diffs.append(diff_file(name, old[name], new[name]))
    return diffs


def diff_versions(actor: Actor | None, key: str, old_number: int, new_number: int) -> list[FileDiff]:
    """What changed from version `old_number` to `new_number` of the procedure (the CLI passes no actor)."""
    if actor is not None:
        require_procedure_analyst(actor)
    procedure = get_procedure(key)
    old, new = get_version(procedure, old_number), get_version(procedure, new_number)
    return diff_files(version_files(files_of(old.id), manifest_of(old.id)),
                      version_files(files_of(new.id), manifest_of(new.id)))
