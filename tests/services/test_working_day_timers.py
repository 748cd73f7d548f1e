"""Working-day timers of a diagram (`add_working_days` in a timer expression) reaching a year the calendar
does not know: the case records the timer as provisional (暂定), the admins are alerted, and once the year
is entered they are told when the scheduled moment differs from the entered calendar's (the engine keeps
the moment it scheduled: docs/operations.md, "Working-day timers")."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.extensions import db
from app.models import Case
from app.services.procedures import deploy_procedures
from tests.support.deadlines import BPMN_DIR, FORMS_DIR, events, local, utc_iso

WORKDAY_TIMER = Path(__file__).resolve().parent / "fixtures" / "workday_timer_probe.bpmn"


def deploy_workday_timer(app: Flask, tmp_path: Path) -> None:
    """The deadline probes plus a procedure whose timer waits 3 working days from its start."""
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    shutil.copy(WORKDAY_TIMER, bpmn / "workday_timer_probe.bpmn")  # timer: add_working_days(now(), 3)
    with app.app_context(), unit_of_work():
        deploy_procedures(bpmn, FORMS_DIR, deployed_by="test")


@pytest.fixture
def timer_probe(app: Flask, tmp_path: Path) -> str:
    deploy_workday_timer(app, tmp_path)
    return "workday_timer_probe"


def _next_timer(app: Flask, case_id: int) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).next_timer_at.isoformat()  # type: ignore[union-attr]


def _notes(user: Any, kind: str) -> list[dict[str, Any]]:
    return [n for n in user.get("/api/v1/notifications").json["items"] if n["kind"] == kind]


def test_a_timer_known_in_every_year_is_not_provisional(app: Flask, as_user: Any, timer_probe: str) -> None:
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-30 10:00")):
        case = ent.case(ent.start(timer_probe).json["id"])
    assert _next_timer(app, case["id"]) == utc_iso("2026-10-10 17:30")  # National Day, the make-up Saturday
    assert "timer_provisional" not in events(case)
    assert _notes(as_user("admin"), "calendar_year_missing") == []


def test_a_timer_into_an_unknown_year_is_provisional_and_the_admin_is_told(app: Flask, as_user: Any,
                                                                          timer_probe: str) -> None:
    ent, admin = as_user("ent-nanning"), as_user("admin")
    with freeze_time(local("2026-12-30 10:00")):
        case = ent.case(ent.start(timer_probe).json["id"])
        # Weekends only in 2027: 31 Dec, Fri 1 Jan (really 元旦), Mon 4 Jan.
        assert _next_timer(app, case["id"]) == utc_iso("2027-01-04 17:30")
        noted = next(e for e in case["history"] if e["kind"] == "timer_provisional")
        assert noted["payload"]["years"] == [2027] and noted["payload"]["days"] == 3
        assert [n["payload"]["year"] for n in _notes(admin, "calendar_year_missing")] == [2027]
        runner = app.test_cli_runner()
        assert runner.invoke(args=["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"]).exit_code == 0
        assert runner.invoke(args=["calendar", "confirm", "2027"]).exit_code == 0
    changed = _notes(admin, "timer_calendar_changed")
    assert len(changed) == 1 and changed[0]["case_id"] == case["id"]
    assert (changed[0]["payload"]["scheduled"], changed[0]["payload"]["corrected"]) == (
        "2027-01-04 17:30", "2027-01-05 17:30")
    assert case["number"] in changed[0]["title"]
