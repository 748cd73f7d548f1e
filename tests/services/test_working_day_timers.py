"""Working-day timers of a diagram (`add_working_days` in a timer expression) reaching a year the calendar
does not know: the case records the timer as provisional (暂定) and the admins are alerted; the year entered, the
timer is counted again on it (docs/operations.md, "Working-day timers")."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case
from app.services.deadlines import clocks
from tests.support.deadlines import BPMN_DIR, FORMS_DIR, events, local, utc_iso
from tests.support.procedure_files import deploy_folder

WORKDAY_TIMER = Path(__file__).resolve().parent / "fixtures" / "workday_timer_probe.bpmn"


def deploy_workday_timer(app: Flask, tmp_path: Path) -> None:
    """The deadline probes plus a procedure whose timer waits 3 working days from its start, and a variant
    whose timer fires at 09:00 of that day (its moment derived from, not equal to, the function's)."""
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    shutil.copy(WORKDAY_TIMER, bpmn / "workday_timer_probe.bpmn")  # timer: add_working_days(now(), 3)
    morning = (WORKDAY_TIMER.read_text("utf-8").replace("workday_timer_probe", "workday_timer_morning")
               .replace('value="WT"', 'value="WM"').replace(
                   "add_working_days(now(), 3)", 'add_working_days(now(), 3)[:10] + "T09:00:00+08:00"'))
    (bpmn / "workday_timer_morning.bpmn").write_text(morning, "utf-8")
    deploy_folder(app, bpmn, FORMS_DIR)


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


def _fire(app: Flask) -> int:
    with app.app_context():
        return fire_due_timers()


def _pending(app: Flask, case_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        return clocks.pending_provisional_timers(db.session.get(Case, case_id))  # type: ignore[arg-type]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_waiting_timer_into_an_unknown_year_is_provisional_until_the_year_is_entered(
        app: Flask, as_user: Any, timer_probe: str) -> None:
    ent, admin, city = as_user("ent-nanning"), as_user("admin"), as_user("city-nanning")
    with freeze_time(local("2026-12-30 10:00")):
        case = ent.case(ent.start(timer_probe).json["id"])
        # Weekends only in 2027: 31 Dec, Fri 1 Jan (really 元旦), Mon 4 Jan.
        assert _next_timer(app, case["id"]) == utc_iso("2027-01-04 17:30")
        noted = next(e for e in case["history"] if e["kind"] == "timer_provisional")
        assert noted["payload"]["years"] == [2027] and noted["payload"]["days"] == 3
        assert [n["payload"]["year"] for n in _notes(admin, "calendar_year_missing")] == [2027]
        assert len(_pending(app, case["id"])) == 1  # the case page shows the moment 暂定
        runner = app.test_cli_runner()
        assert runner.invoke(args=["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"]).exit_code == 0
        assert runner.invoke(args=["calendar", "confirm", "2027"]).exit_code == 0
    # A working-day timer follows the calendar (docs/operations.md): 元旦 entered, it moved to Tuesday the 5th.
    assert _next_timer(app, case["id"]) == utc_iso("2027-01-05 17:30")
    assert _pending(app, case["id"]) == []  # no longer 暂定
    with freeze_time(local("2027-01-04 17:31")):
        assert _fire(app) == 0
    with freeze_time(local("2027-01-05 17:31")):
        assert _fire(app) == 1
        assert city.task_for(case["id"]) is not None and "timer_fired" in events(ent.case(case["id"]))
    assert _pending(app, case["id"]) == []
