"""Submitted form data shown read-only: labels and option titles from the procedure's forms."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.web.form_rendering import choices_of, widget_of


@dataclass
class Shown:
    key: str
    label: str
    text: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)  # (attachment id, file name)
    headers: list[str] = field(default_factory=list)  # a table of rows
    rows: list[list[str]] = field(default_factory=list)


def _plain(value: Any, spec: dict[str, Any]) -> str:
    if isinstance(value, list):
        return "、".join(_plain(v, spec.get("items") or {}) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    titles = {str(const): title for const, title in choices_of(spec) or []}
    if value is None:
        return "—"
    if isinstance(value, dict):
        props = spec.get("properties") or {}
        return "；".join(f"{(props.get(k) or {}).get('title', k)}：{_plain(v, props.get(k) or {})}"
                        for k, v in value.items())
    return titles.get(str(value), str(value))


def show_value(key: str, value: Any, spec: dict[str, Any], filenames: Mapping[str, str]) -> Shown:
    shown = Shown(key=key, label=str(spec.get("title") or key))
    widget = widget_of(spec)
    if widget == "file":
        ids = value if isinstance(value, list) else [value]
        shown.files = [(str(i), filenames.get(str(i), str(i))) for i in ids if i]
    elif widget == "rows" and isinstance(value, list):
        props = (spec.get("items") or {}).get("properties") or {}
        shown.headers = [str(p.get("title") or k) for k, p in props.items()]
        shown.rows = [[_plain(row.get(k), p) for k, p in props.items()] for row in value if isinstance(row, dict)]
    else:
        shown.text = _plain(value, spec)
    return shown


def merged_properties(schemas: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """key -> property schema over several forms (the first form naming a key wins)."""
    merged: dict[str, dict[str, Any]] = {}
    for schema in schemas:
        for key, spec in (schema.get("properties") or {}).items():
            merged.setdefault(key, spec)
    return merged


def show_data(data: Mapping[str, Any], properties: Mapping[str, dict[str, Any]], filenames: Mapping[str, str],
              exclude: Iterable[str] = ()) -> list[Shown]:
    """The fields of `data` that some form defines, in the forms' order, except `exclude`."""
    skip = set(exclude)
    return [show_value(key, data[key], spec, filenames) for key, spec in properties.items()
            if key in data and key not in skip and data[key] not in ("", None, [])]
