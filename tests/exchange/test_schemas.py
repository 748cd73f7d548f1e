"""Every message kind we produce or accept has a versioned JSON Schema in the repository, every schema is
valid, and a message that does not match its schema never enters the outbox."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from app.db import unit_of_work
from app.integrations.exchange import SYSTEMS, schemas
from app.integrations.outbox import InvalidMessage, enqueue
from app.services.exchange import appliers
from tests.exchange.conftest import report

ROOT = Path(__file__).resolve().parents[2]
# A kind written in the code: enqueue("kind", ...) or a constant such as NATIONAL_REPORT_KIND = "kind".
_PRODUCED = re.compile(r'(?:enqueue\(\s*|_KIND\s*=\s*)"([a-z_]+\.[a-z_.]+)"')


def produced_kinds() -> set[str]:
    found = set()
    for folder in ("app", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(_PRODUCED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_message_kind_the_code_produces_has_a_schema() -> None:
    kinds = produced_kinds()
    assert {"national_platform.data_level_change", "notify.former_employer", "approval_system.project_personnel",
            "trading_platform.performance_record"} <= kinds
    assert kinds - set(schemas.kinds("outbound")) == set()


def test_every_inbound_kind_a_system_sends_has_a_schema_and_an_entity_key() -> None:
    accepted = {kind for system in SYSTEMS.values() for kind in system.inbound_kinds}
    assert accepted - set(schemas.kinds("inbound")) == set()
    assert set(appliers.APPLIERS) <= accepted
    assert accepted - set(appliers.ENTITY_KEYS) == set()


@pytest.mark.parametrize("path", sorted((ROOT / "app/integrations/exchange/schemas").rglob("*.json")),
                         ids=lambda p: p.name)
def test_every_schema_is_a_valid_versioned_json_schema(path: Path) -> None:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert re.fullmatch(r"[a-z_.]+\.v\d+\.json", path.name) and schema["title"]
    assert schema["$id"].endswith(f"/{path.parent.name}/{path.name}")


def test_a_message_that_does_not_match_its_schema_is_not_queued(app: Flask) -> None:
    bad = {**report(1), "new_level": "Z"}
    with app.app_context(), pytest.raises(InvalidMessage, match="new_level"), unit_of_work():
        enqueue("national_platform.data_level_change", bad, "bad-report")
    with app.app_context(), pytest.raises(LookupError), unit_of_work():
        enqueue("national_platform.unknown_kind", {}, "unknown")
