"""Free text (a form's prose fields, comments, reasons) as someone other than its writer reads it: ID numbers and
phones in it masked (`app.log_masking.mask_shown_text`: the logs' patterns, resident ID numbers only); what is
stored stays as typed.

A field (of a form, or of a message to another system) is free text when it is a plain string typed as prose: a
textarea, or a text field of 500 characters or more (a note). Fields that hold a code (a permit number is 18 digits,
as an ID number is) are never masked by the regex: only by their name (`records.identifiers.mask_personal`).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.log_masking import mask_shown_text
from app.services.procedures.forms import form_schema
from app.services.procedures.versions import derived, form_keys_in_order, manifest_of

NOTE_LENGTH = 500  # a plain text field allowing this many characters is a note, not a code or a name
_CHOICES = ("format", "oneOf", "anyOf", "enum", "const", "x-choices")


def is_free_text(spec: Mapping[str, Any]) -> bool:
    """Is this property schema a field typed as prose (a textarea, or a plain text field for a note)?"""
    kind = spec.get("type")
    if not (kind == "string" or isinstance(kind, list) and "string" in kind) or \
            any(spec.get(name) is not None for name in _CHOICES):
        return False
    return spec.get("x-widget") == "textarea" or int(spec.get("maxLength") or 0) >= NOTE_LENGTH


def free_text_keys(schema: Mapping[str, Any]) -> set[str]:
    """The names of a schema's free-text fields, at any depth (groups, a form's rows)."""
    found: set[str] = set()
    for key, spec in (schema.get("properties") or {}).items():
        if not isinstance(spec, dict):
            continue
        if is_free_text(spec):
            found.add(key)
        found |= free_text_keys(spec)
        items = spec.get("items")
        if isinstance(items, dict):
            found |= free_text_keys(items)
    return found


@dataclass(frozen=True)
class FreeTextKeys:
    """A version's free-text fields by the side that fills them (a name both sides' forms use is in both)."""

    applicant: frozenset[str]
    authority: frozenset[str]


def keys_of_version(version_id: int) -> FreeTextKeys:
    """The free-text fields of the version's forms: the start form's and the applicant's tasks' forms', and the
    other forms' (the authorities'); computed once per process."""
    return derived(version_id, "free_text_keys", lambda: _keys_of_version(version_id))


def _keys_of_version(version_id: int) -> FreeTextKeys:
    manifest = manifest_of(version_id)
    applicant_forms = {(manifest.get("properties") or {}).get("startForm")}
    applicant_forms |= {task.get("form_key") for task in (manifest.get("tasks") or {}).values()
                        if (task or {}).get("scope") == "applicant"}
    applicant: set[str] = set()
    authority: set[str] = set()
    for key in form_keys_in_order(version_id):
        (applicant if key in applicant_forms else authority).update(free_text_keys(form_schema(version_id, key)))
    return FreeTextKeys(frozenset(applicant), frozenset(authority))


def others_free_text(version_id: int, applicant_side: bool) -> frozenset[str]:
    """The free-text fields a reader sees masked: those the other side fills and his own side's forms do not
    name (never a field he fills himself: what he reads back is what he may send again)."""
    keys = keys_of_version(version_id)
    return keys.authority - keys.applicant if applicant_side else keys.applicant - keys.authority


def masked_free_text(value: Any, keys: Collection[str], key: str = "") -> Any:
    """A copy of a case's data (or an event's payload) with the text under the field names `keys` masked, at any
    depth (a form's rows, groups, the old/new of a change)."""
    if isinstance(value, dict):
        return {k: masked_free_text(v, keys, key if k in ("old", "new") else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_free_text(v, keys, key) for v in value]
    if isinstance(value, str) and key in keys:
        return mask_shown_text(value)
    return value


# The history events that carry text someone typed (or an error's text): the event's kind -> its payload field.
TYPED_TEXT = {"comment": "text", "case_withdrawn": "reason", "case_terminated": "reason", "error": "message"}


def masked_event_payload(kind: str, payload: dict[str, Any], keys: Collection[str],
                         written_by_reader: bool) -> dict[str, Any]:
    """An event's payload as a reader sees it: the free-text fields `keys` of what a form submitted (and changed)
    masked, and the text typed with the event (a comment, a withdrawal's reason) masked unless he typed it."""
    shown: dict[str, Any] = masked_free_text(payload, keys)
    field = TYPED_TEXT.get(kind)
    if field and not written_by_reader and isinstance(shown.get(field), str):
        shown[field] = mask_shown_text(shown[field])
    return shown
