"""The values a flow's condition may compare a form field with, for the modeler's properties panel.

Deploy refuses a condition comparing a field that offers a fixed set of values with any other text
(engine/condition_values.py); the panel offers those values as a list, so the analyst picks one instead of
guessing. The same reading of a field's schema as deploy's (`choices`): a field that some form offers free, as a
list or from a handler's list (`x-choices`) has no fixed set, and the panel keeps a text box for it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.engine.condition_values import choices

Schema = dict[str, Any]


def _titles(schema: Schema) -> dict[str, tuple[str, str]]:
    """const -> (title, English title) of a field's `oneOf`/`anyOf` options; empty for an `enum`."""
    options = schema.get("oneOf") if isinstance(schema.get("oneOf"), list) else schema.get("anyOf")
    return {o["const"]: (str(o.get("title") or ""), str(o.get("title_en") or ""))
            for o in options or [] if isinstance(o, dict) and isinstance(o.get("const"), str)}


def field_choices(forms: Iterable[Schema | None]) -> dict[str, list[dict[str, str]]]:
    """{field: [{value, title, title_en}]} of every field whose forms all offer it a fixed set of texts, the
    values in the forms' order (a value's title from the first form that gives one)."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    free: set[str] = set()
    for form in forms:
        properties = (form or {}).get("properties")
        if not isinstance(properties, dict):
            continue
        for name, schema in properties.items():
            offered = choices(schema)
            if offered is None:
                free.add(name)
                continue
            titles = _titles(schema)
            merged = found.setdefault(name, {})
            for value in offered:
                before = merged.get(value, ("", ""))
                title, title_en = titles.get(value, ("", ""))
                merged[value] = (before[0] or title, before[1] or title_en)
    return {name: [{"value": v, "title": t, "title_en": e} for v, (t, e) in values.items()]
            for name, values in sorted(found.items()) if name not in free}
