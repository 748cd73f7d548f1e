"""A working-day timer of a diagram follows the calendar as the task deadline beside it does: spot_check's
陈述申辩 task has 5 working days (`dueIn`) and a boundary timer add_working_days(now(), 5) that cancels it; a day
declared a holiday inside that window moves both, so the timer never cancels the statement before the deadline
the enterprise is shown."""
from __future__ import annotations

from datetime import date
from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import CalendarDay, CalendarSource, Case
from tests.procedures.steps import act_ok, upload
from tests.procedures.test_spot_check import _city_case


def _next_timer(app: Any, case_id: int) -> str:
    with app.app_context():
        moment = db.session.scalar(select(Case.next_timer_at).where(Case.id == case_id))
        return moment.isoformat()  # type: ignore[union-attr]


def test_a_holiday_inside_the_statement_period_moves_the_timer_with_the_task_deadline(app: Any,
                                                                                      as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    with freeze_time("2026-12-04 02:00:00"):  # Friday 10:00 in Nanning
        case_id = _city_case(app, city)
        act_ok(city, case_id, {"finding": "false_data", "findings": "竣工日期与验收证明不符",
                               "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
        statement = ent.task_for(case_id)
        assert statement["due_at"].startswith("2026-12-11")  # Friday the 11th, 17:30
        assert _next_timer(app, case_id).startswith("2026-12-11T09:30")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["calendar", "set", "2026-12-09", "holiday", "--name", "台风停工"])
        assert result.exit_code == 0, result.output
        assert ent.task_for(case_id)["due_at"].startswith("2026-12-14")  # Monday
        assert _next_timer(app, case_id).startswith("2026-12-14T09:30")  # the timer moved with it
    with freeze_time("2026-12-11 16:00:01"), app.app_context():  # the old moment: the statement is still open
        assert fire_due_timers() == 0
    assert ent.task_for(case_id) is not None
    with freeze_time("2026-12-14 09:30:01"), app.app_context():  # the new one: the period is over
        assert fire_due_timers() == 1
    assert ent.task_for(case_id) is None


def test_seeding_a_corrected_official_day_of_a_known_year_moves_the_deadlines_and_timers_across_it(
        app: Any, as_user: Any) -> None:
    """`flask calendar seed` with a newer library: a day of a year already in the table whose kind changed (here
    2026-10-05, stored as a working day by an older import) moves the open deadlines running across it."""
    with app.app_context(), unit_of_work():  # what an older import left: 10-05 (国庆节) a working day
        row = db.session.get(CalendarDay, date(2026, 10, 5))
        assert row is not None and row.source == CalendarSource.OFFICIAL
        row.workday, row.name, row.updated_at = True, "旧数据", utcnow()
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    with freeze_time("2026-09-30 02:00:00"):  # Wednesday 10:00 in Nanning
        case_id = _city_case(app, city)
        act_ok(city, case_id, {"finding": "false_data", "findings": "竣工日期与验收证明不符",
                               "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
        assert ent.task_for(case_id)["due_at"].startswith("2026-10-12")  # 10-05, 08, 09, 10 (make-up), 12
        assert _next_timer(app, case_id).startswith("2026-10-12T09:30")
        result = app.test_cli_runner().invoke(args=["calendar", "seed"])
        assert result.exit_code == 0, result.output
        assert "1 day(s) written" in result.output and "recomputed: 1" in result.output, result.output
        assert ent.task_for(case_id)["due_at"].startswith("2026-10-13")  # 10-05 a holiday again
        assert _next_timer(app, case_id).startswith("2026-10-13T09:30")
        history = city.case(case_id)["history"]
        assert any(e["kind"] == "deadline_moved" and e["payload"]["cause"]["day"] == "2026-10-05" for e in history)


def _forget_timer_starts(app: Any, case_id: int) -> None:
    """The case's state as a timer reached before the engine kept its start left it."""
    from app.engine import SERIALIZER_VERSION
    from app.engine.scripting import TIMER_START
    from app.services import steps
    from app.services.procedures.versions import definition_of

    with app.app_context(), unit_of_work():
        case = db.session.get(Case, case_id, options=steps.step_loading())
        assert case is not None and case.workflow_state is not None
        state = case.workflow_state
        running = steps.ENGINE.load(definition_of(case.procedure_version_id), state.state, state.serializer_version,
                                    steps.Step(case, None, state).service_caller())
        for task in running._wf.get_tasks():  # noqa: SLF001 - the test reaches into the engine's state
            task.internal_data.pop(TIMER_START, None)
        state.state, state.serializer_version = running.dump(), SERIALIZER_VERSION


def test_a_timer_reached_before_its_start_was_kept_moves_too(app: Any, as_user: Any) -> None:
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    with freeze_time("2026-12-04 02:00:00"):
        case_id = _city_case(app, city)
        act_ok(city, case_id, {"finding": "false_data", "findings": "竣工日期与验收证明不符",
                               "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
        _forget_timer_starts(app, case_id)
        result = app.test_cli_runner().invoke(args=["calendar", "set", "2026-12-09", "holiday", "--name", "台风停工"])
        assert result.exit_code == 0, result.output
        assert ent.task_for(case_id)["due_at"].startswith("2026-12-14")
        assert _next_timer(app, case_id).startswith("2026-12-14T09:30")
