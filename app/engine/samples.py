"""Sample case data from a procedure's forms: a value of each field's JSON-Schema type and format.

Deploy evaluates timer expressions on it (app/engine/timer_check.py): a field of format "date" gets a date
string, as the form would submit, so `end_of_day(temporary_end_date)` is tried as a case will run it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

_MAX_DEPTH = 8


def _string(schema: dict[str, Any], now: datetime) -> str:
    formats = {"date": now.date().isoformat(), "date-time": now.isoformat(timespec="seconds"),
               "time": "09:00:00", "email": "sample@example.com", "uri": "https://example.com/"}
    return formats.get(str(schema.get("format")), "示例")


def _number(schema: dict[str, Any], default: int | float) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    return low if isinstance(low, int | float) and not isinstance(low, bool) and low > default else default


def _typed(kind: Any, schema: dict[str, Any], now: datetime, depth: int) -> Any:
    if kind == "string":
        return _string(schema, now)
    if kind in ("integer", "number"):
        return _number(schema, 1)
    if kind == "boolean":
        return True
    if kind == "array":
        items = schema.get("items")
        return [sample_value(items, now, depth + 1)] if isinstance(items, dict) else []
    if kind == "object":
        return {name: sample_value(sub, now, depth + 1)
                for name, sub in (schema.get("properties") or {}).items() if isinstance(sub, dict)}
    return None


def sample_value(schema: Any, now: datetime, depth: int = 0) -> Any:
    """A value the schema accepts in the usual case (its const, default or first choice; else by type)."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        options = [o for o in schema.get(key) or [] if isinstance(o, dict)]
        if options and "type" not in schema:
            return sample_value(options[0], now, depth + 1)
        if options and "const" in options[0]:
            return options[0]["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return _typed(kind, schema, now, depth)


def sample_data(schemas: Iterable[Any], now: datetime | None = None) -> dict[str, Any]:
    """Every top-level field of the forms with a sample value (a field in several forms: the first one's)."""
    moment = now or datetime.now(UTC)
    data: dict[str, Any] = {}
    for schema in schemas:
        for name, field in ((schema or {}).get("properties") or {}).items() if isinstance(schema, dict) else ():
            data.setdefault(name, sample_value(field, moment))
    return data
