"""Deadline tests: the probe procedures (tests/fixtures/deadlines), local times, and the periodic jobs."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from tests.procedures.steps import act_ok
from tests.support.procedure_files import deploy_folder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deadlines"
BPMN_DIR, FORMS_DIR = FIXTURES / "bpmn", FIXTURES / "forms"
LOCAL = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """'2026-09-30 10:00' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def utc_iso(text: str) -> str:
    """The API's rendering of a Beijing time: '2026-10-10 17:30' -> '2026-10-10T09:30:00+00:00'."""
    return local(text).astimezone(UTC).isoformat()


def deploy_probes(app: Flask) -> None:
    deploy_folder(app, BPMN_DIR, FORMS_DIR)


def start_and_submit(ent: Any, procedure: str = "clock_probe") -> int:
    started = ent.start(procedure)
    assert started.status_code == 201, started.json
    case_id = int(started.json["id"])
    act_ok(ent, case_id, {"note": "申请"})
    return case_id


def events(case: dict[str, Any], prefix: str = "") -> list[str]:
    return [e["kind"] for e in case["history"] if e["kind"].startswith(prefix)]
