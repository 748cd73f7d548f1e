"""Versioned JSON Schemas of every message exchanged, kept in the repository next to this module:
`schemas/outbound/<kind>.v<N>.json` (what we send; kind = national_platform.data_level_change) and
`schemas/inbound/<kind>.v<N>.json` (what other systems send us; kind = certificate_change), plus the
inbound envelope. A message is validated before it is written to the outbox or applied."""
from __future__ import annotations

import functools
import json
import re
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
    for error in sorted(validator(direction, kind, version).iter_errors(payload), key=lambda e: list(e.path)):
        where = "/".join(str(part) for part in error.absolute_path) or reasons.ROOT
        found[Message(reasons.PROBLEM, where=where, reason=_reason(error))] = None
    return list(found)


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
        kinds = expected if isinstance(expected, list) else [expected]
        return Message(reasons.TYPE, types=reasons.OR.join(reasons.TYPE_NAMES.get(str(k), str(k)) for k in kinds))
    if check == "format":
        return Message(reasons.FORMAT, value=instance, format=reasons.FORMAT_NAMES.get(str(expected), str(expected)))
    if check in ("enum", "const"):
        return Message(reasons.NOT_IN_CHOICES, value=instance)
    if check == "pattern":
        return Message(reasons.PATTERN, value=instance)
    if check in reasons.LIMITS:
        return Message(reasons.LIMITS[check], limit=expected)
    return str(error.message)
