"""Submitted form data shown read-only: labels and option titles from the procedure's forms,
in the page's language.

The options of an "x-choices" field are rendered for the viewer, so a value the case holds may not be
among them (a deregistration of another enterprise's person, seen by the applicant or the authority).
Such a value is never shown as its bare id: the title stored with the case data is used
(`person_id` -> `person_name` with the masked `person_id_number`, `project_id` -> `project_name`, ...),
else the record's title looked up for the viewer (a person, in a form's rows too: deregistered since he was
chosen, he is no longer among anyone's options; on the case and task pages, any record the case names, since the
viewer may read the case), else a neutral text (no such record, or one the viewer may not see).

ID numbers and phones are shown masked: a field holding one by its name (`mask_personal`), free text (a textarea,
a note: `free_text.is_free_text`) wherever they are in it, by the logs' regex.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from flask import has_request_context
from flask_login import current_user

from app.auth import session_actor
from app.errors import bilingual_of
from app.log_masking import mask_shown_text
from app.models import Actor, Attachment
from app.services.cases.free_text import is_free_text
from app.services.records.identifiers import mask_personal
from app.services.records.lookup import person_titles
from app.web.form_rendering import choices_of, widget_of
from app.web.i18n import colon, gettext, list_separator, semicolon

EMPTY = "—"  # an empty value, as every page shows it
SELECTED = "（已选对象）"  # a chosen record whose title neither the options, the case data nor a lookup give


class Lookup(Protocol):
    """Titles of records by id for `actor`; `named_by_case`: the ids come from a stored case's data."""

    def __call__(self, actor: Actor, ids: Iterable[int], /, *, named_by_case: bool = False) -> Mapping[int, str]: ...


# The chosen records whose titles are looked up (for the viewer) when missing from his options, by field key.
LOOKUPS: dict[str, Lookup] = {"person_id": person_titles}
Found = Mapping[str, Mapping[str, str]]  # field key -> record id (as text) -> title looked up


@dataclass
class Shown:
    key: str
    label: str
    text: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)  # (attachment id, file name)
    headers: list[str] = field(default_factory=list)  # a table of rows
    rows: list[list[str]] = field(default_factory=list)


def stored_title(key: str, context: Mapping[str, Any]) -> str | None:
    """The title a handler stored with the case data for the record chosen in field `key`.

    `person_id` -> "梁海（4501**********0034）" from `person_name` and the masked `person_id_number`;
    `project_id` -> `project_name` (with `project_code`); `record_id` -> `record_name`.
    """
    stem = key[:-3] if key.endswith("_id") else key
    name = context.get(f"{stem}_name")
    if not isinstance(name, str) or not name.strip():
        return None
    number = context.get(f"{stem}_id_number")
    code = context.get(f"{stem}_code")
    if isinstance(number, str) and "*" in number:  # only a masked number, never a full one
        return f"{name}（{number}）"
    if isinstance(code, str) and code:
        return f"{name}（{code}）"
    return name


def _masked(key: str, spec: Mapping[str, Any] | None, text: str) -> str:
    """A field's text as the pages show it: an ID number or phone field masked, and those written in free text;
    an empty value is the "—" placeholder, never masked."""
    if text in ("", EMPTY):
        return EMPTY
    shown = mask_personal(key, text)
    return mask_shown_text(shown) if spec and is_free_text(spec) else shown


def _label(spec: Any, key: str) -> str:
    """A field's title in the page's language (its `title_en` in English)."""
    return gettext(bilingual_of(spec, "title", key) or key)


def _plain(value: Any, spec: dict[str, Any], fallback: str | None = None,
           found: Mapping[str, str] | None = None) -> str:
    """For a chosen record missing from the viewer's options: `fallback`, the stored title, else its title in
    `found` (looked up by id), else a neutral text."""
    if isinstance(value, list):
        item = spec.get("items") or {}
        return list_separator().join(_plain(v, item, fallback if len(value) == 1 else None, found) for v in value)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    titles = {str(const): gettext(title) for const, title in choices_of(spec) or [] if const is not None}
    if value is None:
        return EMPTY
    if isinstance(value, dict):
        props = spec.get("properties") or {}
        return semicolon().join(
            f"{_label(props.get(k), k)}{colon()}{_masked(k, props.get(k), _plain(v, props.get(k) or {}))}"
            for k, v in value.items())
    if str(value) in titles:
        return titles[str(value)]
    if spec.get("x-choices"):  # a record id: never shown bare
        return fallback or gettext((found or {}).get(str(value)) or SELECTED)
    return str(value)


def show_value(key: str, value: Any, spec: dict[str, Any], filenames: Mapping[str, str],
               context: Mapping[str, Any] | None = None, found: Found | None = None) -> Shown:
    """`context`: the case data, where handlers store the titles of chosen records (default: none);
    `found`: titles looked up for chosen records missing from the options (`looked_up`; default: none)."""
    shown = Shown(key=key, label=_label(spec, key))
    widget = widget_of(spec)
    found = found or {}
    if widget == "file":
        ids = value if isinstance(value, list) else [value]
        shown.files = [(str(i), filenames.get(str(i), str(i))) for i in ids if i]
    elif widget == "rows" and isinstance(value, list):
        props = (spec.get("items") or {}).get("properties") or {}
        shown.headers = [_label(p, k) for k, p in props.items()]
        shown.rows = [[_masked(k, p, _plain(row.get(k), p, found=found.get(k, {}))) for k, p in props.items()]
                      for row in value if isinstance(row, dict)]
    else:
        shown.text = _masked(key, spec, _plain(value, spec, stored_title(key, context or {}), found.get(key, {})))
    return shown


def _unlisted(key: str, value: Any, spec: Mapping[str, Any]) -> list[int]:
    """The record id of field `key` when it is one looked up and missing from the field's options."""
    if key not in LOOKUPS or not spec.get("x-choices") or not str(value).isdigit():
        return []
    listed = {str(const) for const, _title in choices_of(dict(spec)) or []}
    return [] if str(value) in listed else [int(value)]


def _missing(data: Mapping[str, Any], properties: Mapping[str, dict[str, Any]],
             titles: Mapping[str, Any]) -> dict[str, set[int]]:
    """Field key -> the chosen ids no option and no stored title name, in fields and in a form's rows."""
    missing: dict[str, set[int]] = {}
    for key, spec in properties.items():
        value = data.get(key)
        if widget_of(spec) == "rows" and isinstance(value, list):
            props = (spec.get("items") or {}).get("properties") or {}
            for row in (r for r in value if isinstance(r, dict)):
                for k, p in props.items():
                    missing.setdefault(k, set()).update(_unlisted(k, row.get(k), p))
        elif stored_title(key, titles) is None:
            missing.setdefault(key, set()).update(_unlisted(key, value, spec))
    return {key: ids for key, ids in missing.items() if ids}


def _viewer() -> Actor | None:
    """The signed-in user the page is drawn for (none: a page drawn outside a sign-in looks nothing up)."""
    return session_actor() if has_request_context() and current_user.is_authenticated else None


def looked_up(missing: Mapping[str, set[int]], of_case: bool = False) -> dict[str, dict[str, str]]:
    """The titles of chosen records missing from the viewer's options (a person deregistered since he was
    chosen), one query per kind of record for all its fields; only the records the signed-in viewer may see,
    unless `of_case`: the ids come from a stored case's data, which the viewer was authorised to read."""
    viewer = _viewer()
    found: dict[str, dict[str, str]] = {}
    if viewer is None:
        return found
    for lookup in {LOOKUPS[key] for key in missing}:
        keys = [key for key in missing if LOOKUPS[key] is lookup]
        titles = lookup(viewer, set().union(*(missing[key] for key in keys)), named_by_case=of_case)
        found.update({key: {str(i): titles[i] for i in missing[key] if i in titles} for key in keys})
    return found


def merged_properties(schemas: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """key -> property schema over several forms (the first form naming a key wins)."""
    merged: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        for key, spec in (schema.get("properties") or {}).items():
            merged.setdefault(key, spec)
    return merged


def show_data(data: Mapping[str, Any], properties: Mapping[str, dict[str, Any]], filenames: Mapping[str, str],
              exclude: Iterable[str] = (), context: Mapping[str, Any] | None = None,
              of_case: bool = False) -> list[Shown]:
    """The fields of `data` that some form defines, in the forms' order, except `exclude`.

    `context`: the case data, for the titles of chosen records (default: `data` itself).
    `of_case`: `data` is a stored case's (its data, a submission in it), which the viewer was authorised to read:
    the records it names are titled for him even where he may not see them otherwise (the contractor's key person
    named by the construction unit's registration). Not for data typed elsewhere (the sandbox's).
    """
    skip = set(exclude)
    titles = data if context is None else {**context, **data}
    shown = {key: spec for key, spec in properties.items()
             if key in data and key not in skip and data[key] not in ("", None, [])}
    found = looked_up(_missing(data, shown, titles), of_case)
    return [show_value(key, data[key], spec, filenames, titles, found) for key, spec in shown.items()]


class Round(NamedTuple):
    """One submission of a form: its data, the step's title and when."""

    data: Mapping[str, Any]
    step: str
    at: datetime | None


@dataclass
class FiledFile:
    attachment: Attachment
    replaced: bool = False  # a later submission of the field no longer names it
    round: int = 0  # replaced: the field's last submission (1 = its first) that named it
    step: str = ""
    submitted_at: datetime | None = None


@dataclass
class FiledField:
    key: str
    label: str
    files: list[FiledFile] = field(default_factory=list)  # the current files, then the replaced ones


@dataclass
class CaseFiles:
    fields: list[FiledField] = field(default_factory=list)
    unsubmitted: list[Attachment] = field(default_factory=list)  # the reader's side's uploads no submission named
    authority_side: bool = False  # the reader's side: its unsubmitted uploads are the authorities', not the applicant's
    events: set[int] = field(default_factory=set)  # the ids of the history's events this reader reads


def _ids(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str | int) and not isinstance(v, bool) and str(v)]


def _filed_field(key: str, rounds: Sequence[Round], current: Mapping[str, Any],
                 found: Mapping[str, Attachment]) -> list[FiledFile]:
    named = [(n, _ids(r.data[key]), r) for n, r in enumerate((r for r in rounds if key in r.data), start=1)]
    now = _ids(current[key]) if key in current else (named[-1][1] if named else [])
    files = [FiledFile(found[i]) for i in dict.fromkeys(now) if i in found]
    seen = set(now)
    for n, ids, submitted in reversed(named):  # the latest replaced first
        for i in ids:
            if i not in seen and i in found:
                files.append(FiledFile(found[i], True, n, submitted.step, submitted.at))
            seen.add(i)
    return files


def filed_attachments(properties: Mapping[str, dict[str, Any]], rounds: Sequence[Round],
                      current: Mapping[str, Any], attachments: Sequence[Attachment],
                      show_unsubmitted: Iterable[str] = ()) -> CaseFiles:
    """The case's attachments by the upload field (`properties`, in their order) some submission named
    them in: the files the case data names now, then those a later round replaced, with the round.
    `rounds`: the submissions in order; `current`: the case data. Files no submission named are left
    out except those in `show_unsubmitted` (ids), listed apart in upload order."""
    found = {a.id: a for a in attachments}
    result = CaseFiles()
    named: set[str] = set()
    for key, spec in properties.items():
        if widget_of(spec) != "file":
            continue
        named.update(i for r in rounds if key in r.data for i in _ids(r.data[key]))
        named.update(_ids(current.get(key)))
        files = _filed_field(key, rounds, current, found)
        if files:
            result.fields.append(FiledField(key, _label(spec, key), files))
    wanted = set(show_unsubmitted)
    result.unsubmitted = [a for a in attachments if a.id not in named and a.id in wanted]
    return result
