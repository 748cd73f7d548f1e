"""Versioned JSON Schemas of every message exchanged, kept in the repository next to this module:
`schemas/outbound/<kind>.v<N>.json` (what we send; kind = national_platform.data_level_change) and
`schemas/inbound/<kind>.v<N>.json` (what other systems send us; kind = certificate_change), plus the
inbound envelope. A message is validated before it is written to the outbox or applied."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from app.errors import Message
from app.integrations.exchange import reasons

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SEARCH_PATH: list[Path] = [SCHEMA_DIR]  # the tests add their own procedures' schemas (add_schema_dir)
_FILE = re.compile(r"^(?P<kind>[a-z_.]+)\.v(?P<version>\d+)\.json$")


class SchemaMissing(LookupError):
    """No schema for this kind and version: such a message is never sent nor applied."""


@functools.cache
def _catalogue(direction: str) -> dict[tuple[str, int], Path]:
    found = {}
    for path in sorted(p for folder in SEARCH_PATH for p in (folder / direction).glob("*.json")):
        match = _FILE.match(path.name)
        if match:
            found[(match["kind"], int(match["version"]))] = path
    return found


def add_schema_dir(folder: Path) -> None:
    """Schemas kept elsewhere (the tests' own procedures), searched after the repository's."""
    if folder not in SEARCH_PATH:
        SEARCH_PATH.append(folder)
        _catalogue.cache_clear()
        validator.cache_clear()


def kinds(direction: str) -> dict[str, int]:
    """Each kind with its latest version."""
    latest: dict[str, int] = {}
    for kind, version in _catalogue(direction):
        latest[kind] = max(version, latest.get(kind, 0))
    return latest


def latest_version(direction: str, kind: str) -> int:
    version = kinds(direction).get(kind)
    if version is None:
        raise SchemaMissing(f"no {direction} schema for message kind {kind!r}")
    return version


@functools.cache
def validator(direction: str, kind: str, version: int) -> Draft202012Validator:
    path = _catalogue(direction).get((kind, version))
    if path is None:
        raise SchemaMissing(f"no {direction} schema for message kind {kind!r} version {version}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems(direction: str, kind: str, version: int, payload: Any) -> list[str]:
    """What is wrong with a payload, one line per problem ("field: reason", the reason in Chinese, a Message of
    reasons.py: the admin's page reads it back in its language); empty when valid. Each line once: jsonschema
    reports each missing field of an object apart, and the line names them all."""
    found: dict[str, None] = {}
    errors = (leaf for error in validator(direction, kind, version).iter_errors(payload) for leaf in _leaves(error))
    for error in sorted(errors, key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or reasons.ROOT
        found[Message(reasons.PROBLEM, where=where, reason=_reason(error))] = None
    return list(found)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors to report for one: for a choice (anyOf, oneOf: a nullable field is "a text or null") whose value
    has the type of one alternative, that alternative's own errors (a text breaking the pattern: the pattern's),
    found in jsonschema's `context`; else the error itself."""
    fitting = _fitting_alternative(error) if str(error.validator) in ("anyOf", "oneOf") else []
    if not fitting:
        yield error
    for inner in fitting:
        yield from _leaves(inner)


def _fitting_alternative(error: ValidationError) -> list[ValidationError]:
    """The errors of the first alternative the value's type fits (none refused it by its own `type`)."""
    alternatives: dict[int, list[ValidationError]] = {}
    for inner in error.context or ():
        alternatives.setdefault(int(inner.relative_schema_path[0]), []).append(inner)
    for _index, errors in sorted(alternatives.items()):
        if not any(_wrong_type(inner) for inner in errors):
            return errors
    return []


def _wrong_type(error: ValidationError) -> bool:
    """An alternative of a choice refused the value itself by its `type` (not a value inside it)."""
    return str(error.validator) == "type" and list(error.relative_schema_path)[1:] == ["type"]


def _reason(error: ValidationError) -> str:
    """The problem in Chinese, for the sending system's operators (jsonschema's own text is English); a check
    not listed here keeps jsonschema's text."""
    check, expected, instance = str(error.validator), error.validator_value, error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if check == "required" and isinstance(expected, list) and isinstance(instance, dict):
        return Message(reasons.REQUIRED, fields=reasons.FIELDS.join(name for name in expected if name not in instance))
    if check == "additionalProperties" and isinstance(instance, dict):
        extra = sorted(set(instance) - set(schema.get("properties") or {}))
        return Message(reasons.NOT_ALLOWED, fields=reasons.FIELDS.join(extra))
    if check == "type":
        return _type_reason(_types(error))
    if check == "format":
        return Message(reasons.FORMAT, value=instance, format=reasons.FORMAT_NAMES.get(str(expected), str(expected)))
    if check in ("enum", "const"):
        return Message(reasons.NOT_IN_CHOICES, value=instance)
    if check == "pattern":
        return Message(reasons.PATTERN, value=instance)
    if check in reasons.LIMITS:
        return Message(reasons.LIMITS[check], limit=expected)
    if check in ("anyOf", "oneOf") and error.context:  # the value's type fits no alternative: the types they take
        return _type_reason([kind for inner in error.context if _wrong_type(inner) for kind in _types(inner)])
    return str(error.message)


def _types(error: ValidationError) -> list[str]:
    expected = error.validator_value
    return [str(kind) for kind in (expected if isinstance(expected, list) else [expected])]


def _type_reason(kinds: list[str]) -> str:
    names = (reasons.TYPE_NAMES.get(kind, kind) for kind in dict.fromkeys(kinds))
    return Message(reasons.TYPE, types=reasons.OR.join(names))
