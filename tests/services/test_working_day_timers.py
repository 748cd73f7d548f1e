"""Working-day timers of a diagram (`add_working_days` in a timer expression) reaching a year the calendar
does not know: the case records the timer as provisional (暂定) and the admins are alerted. Once the year
is entered (confirmed or seeded), a timer still waiting is rescheduled to the moment the entered calendar
gives (steps.RescheduleTimers); a timer that cannot be (its moment is not the one we computed) keeps its
moment and the admins are told (docs/operations.md, "Working-day timers")."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case
from app.services.deadlines import calendar_admin, clocks
from app.services.procedures.versions import deploy_procedures
from tests.support.deadlines import BPMN_DIR, FORMS_DIR, events, local, utc_iso

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


def _fire(app: Flask) -> int:
    with app.app_context():
        return fire_due_timers()


def _pending(app: Flask, case_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        return clocks.pending_provisional_timers(db.session.get(Case, case_id))  # type: ignore[arg-type]


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_waiting_timer_into_an_unknown_year_moves_when_the_year_is_confirmed(app: Flask, as_user: Any,
                                                                              timer_probe: str) -> None:
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
        case = ent.case(case["id"])
    # The waiting timer now fires on the entered calendar: 31 Dec, 4 Jan, 5 Jan.
    assert _next_timer(app, case["id"]) == utc_iso("2027-01-05 17:30")
    moved = [e for e in case["history"] if e["kind"] == "timer_rescheduled"]
    assert len(moved) == 1 and moved[0]["step"] == "等待三个工作日"
    assert (_moment(moved[0]["payload"]["old"]), _moment(moved[0]["payload"]["new"])) == (
        local("2027-01-04 17:30"), local("2027-01-05 17:30"))
    assert _pending(app, case["id"]) == [] and case["status"] == "running"
    assert _notes(admin, "timer_calendar_changed") == []  # nothing left for the admins to check
    with freeze_time(local("2027-01-04 17:31")):
        assert _fire(app) == 0
        assert city.task_for(case["id"]) is None and "timer_fired" not in events(ent.case(case["id"]))
    with freeze_time(local("2027-01-05 17:31")):
        assert _fire(app) == 1
        assert city.task_for(case["id"]) is not None and "timer_fired" in events(ent.case(case["id"]))
    assert _next_timer_or_none(app, case["id"]) is None


def _next_timer_or_none(app: Flask, case_id: int) -> Any:
    with app.app_context():
        return db.session.get(Case, case_id).next_timer_at  # type: ignore[union-attr]


def test_seeding_the_year_moves_a_waiting_timer_too(app: Flask, as_user: Any, timer_probe: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ent = as_user("ent-nanning")
    official = calendar_admin._official_days

    def with_2027() -> dict[date, tuple[bool, str]]:  # the library's next release, with 2027's 元旦
        return {**official(), date(2027, 1, 1): (False, "元旦")}

    monkeypatch.setattr(calendar_admin, "_official_days", with_2027)
    with freeze_time(local("2026-12-30 10:00")):
        case_id = ent.case(ent.start(timer_probe).json["id"])["id"]
        result = app.test_cli_runner().invoke(args=["calendar", "seed"])
        assert result.exit_code == 0, result.output
    assert _next_timer(app, case_id) == utc_iso("2027-01-05 17:30")
    assert "timer_rescheduled" in events(ent.case(case_id))


def test_a_timer_whose_moment_is_not_the_computed_one_is_left_and_the_admin_is_told(
        app: Flask, as_user: Any, timer_probe: str) -> None:
    ent, admin = as_user("ent-nanning"), as_user("admin")
    with freeze_time(local("2026-12-30 10:00")):
        case = ent.case(ent.start("workday_timer_morning").json["id"])
        assert _next_timer(app, case["id"]) == utc_iso("2027-01-04 09:00")
        assert "timer_provisional" in events(case)
        runner = app.test_cli_runner()
        assert runner.invoke(args=["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"]).exit_code == 0
        assert runner.invoke(args=["calendar", "confirm", "2027"]).exit_code == 0
    assert _next_timer(app, case["id"]) == utc_iso("2027-01-04 09:00")  # not ours to move
    assert "timer_rescheduled" not in events(ent.case(case["id"]))
    changed = _notes(admin, "timer_calendar_changed")
    assert len(changed) == 1 and changed[0]["case_id"] == case["id"]
    assert (changed[0]["payload"]["scheduled"], changed[0]["payload"]["corrected"]) == (
        "2027-01-04 17:30", "2027-01-05 17:30")
    assert case["number"] in changed[0]["title"]


def test_a_timer_that_fired_before_the_year_was_entered_is_left(app: Flask, as_user: Any, timer_probe: str) -> None:
    ent, admin, city = as_user("ent-nanning"), as_user("admin"), as_user("city-nanning")
    with freeze_time(local("2026-12-30 10:00")):
        case_id = ent.case(ent.start(timer_probe).json["id"])["id"]
    with freeze_time(local("2027-01-04 17:31")):
        assert _fire(app) == 1
        runner = app.test_cli_runner()
        assert runner.invoke(args=["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"]).exit_code == 0
        assert runner.invoke(args=["calendar", "confirm", "2027"]).exit_code == 0
    assert "timer_rescheduled" not in events(ent.case(case_id)) and city.task_for(case_id) is not None
    assert _notes(admin, "timer_calendar_changed") == []
