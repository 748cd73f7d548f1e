"""The titles of records a form's earlier answer chose that its options no longer offer (a key person deregistered
since the construction unit named him), for the form page to name them beside their fields
(form_rendering.fields_from_schema's `titles`)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.web.data_display import LOOKUPS, looked_up
from app.web.form_rendering import INTEGER, Titles, former_choices


def _named(data: Any, key: str) -> set[str]:
    """The values field `key` holds anywhere in `data` (a case's data: its fields and its forms' rows), as text."""
    found: set[str] = set()
    stack = [data]
    while stack:
        part = stack.pop()
        if isinstance(part, dict):
            held = part.get(key)
            found.update(str(v) for v in (held if isinstance(held, list) else [held]) if isinstance(v, int))
            stack.extend(part.values())
        elif isinstance(part, list):
            stack.extend(part)
    return found


def former_choice_titles(schema: Mapping[str, Any], values: Mapping[str, Any], case_data: Mapping[str, Any]) -> Titles:
    """Field key -> record id -> title, for the chosen records of `values` no longer among the form's options that
    the case's stored data names: the viewer was authorised to read those (the construction unit reads the
    contractor's key person its registration named), not whatever a form posted or a draft holds."""
    missing = {key: {int(v) for v in chosen & _named(case_data, key) if INTEGER.fullmatch(v)}
               for key, chosen in former_choices(schema, values).items() if key in LOOKUPS}
    return looked_up({key: ids for key, ids in missing.items() if ids}, of_case=True)
