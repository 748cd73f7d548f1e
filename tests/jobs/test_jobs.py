"""Jobs in-process: a fire that fails half-way leaves nothing behind; the embedded worker runs every job."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.jobs.embedded import run_periodic_jobs
from app.jobs.timers import fire_due_timers
from app.models import Case, CaseEvent, Task, WorkflowState
from app.services.cases.timers import due_case_ids
from app.services.deadlines import clocks
from tests.support.deadlines import deploy_probes, local, start_and_submit


def _snapshot(app: Any, case_id: int) -> tuple[Any, ...]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        state = db.session.get(WorkflowState, case_id)
        events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
        tasks = db.session.scalar(select(func.count()).select_from(Task).where(Task.case_id == case_id))
        return case.next_timer_at, state.state, events, tasks


def _case(app: Any, case_id: int) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def test_a_worker_failing_mid_fire_leaves_nothing_half_done(app: Any, as_user: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_probes(app)
    with freeze_time(utcnow() - timedelta(hours=2)):
        case_id = as_user("ent-nanning").start("timer_probe").json["id"]
    before = _snapshot(app, case_id)

    def crash(*_args: Any) -> None:  # dies after the engine moved and the tasks were written
        raise RuntimeError("worker killed")

    monkeypatch.setattr(clocks, "after_step", crash)
    with app.app_context():
        assert fire_due_timers() == 0  # rolled back and logged; the other cases would go on
    assert _snapshot(app, case_id) == before  # same timer, state, history and tasks
    assert _case(app, case_id).timer_failures == 1  # noted apart: the case waits a minute before the next try
    monkeypatch.undo()
    with app.app_context():
        assert fire_due_timers() == 0
    with freeze_time(utcnow() + timedelta(minutes=2)), app.app_context():
        assert fire_due_timers() == 1
        assert fire_due_timers() == 0
    assert _snapshot(app, case_id)[0] is None
    assert _case(app, case_id).timer_failures == 0


def test_a_case_whose_timers_keep_failing_backs_off_then_goes_to_error(app: Any, as_user: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(utcnow() - timedelta(hours=3)):
        broken = ent.start("timer_probe").json["id"]  # the oldest due case: first in every round
    with freeze_time(utcnow() - timedelta(hours=2)):
        others = [ent.start("timer_probe").json["id"] for _ in range(2)]
    after_step = clocks.after_step

    def fails_for_the_broken_case(case: Any, *args: Any, **kwargs: Any) -> None:
        if case.id == broken:
            raise RuntimeError("a defect that only this case meets")
        after_step(case, *args, **kwargs)

    monkeypatch.setattr(clocks, "after_step", fails_for_the_broken_case)
    with app.app_context():
        assert due_case_ids(limit=1) == [broken]
        assert fire_due_timers() == 2  # the others fire although the broken one comes first
        assert due_case_ids(limit=1) == []  # backing off: it does not hold the first place
    moment = utcnow()
    for minutes in (1, 2, 4, 8):  # each failure doubles the wait
        with freeze_time(moment + timedelta(minutes=minutes, seconds=-5)), app.app_context():
            assert due_case_ids() == []
        moment += timedelta(minutes=minutes)
        with freeze_time(moment), app.app_context():
            assert fire_due_timers() == 0
    case = _case(app, broken)
    assert case.status == "error" and case.timer_failures == 5 and case.next_timer_at is None
    assert case.error_message == "定时器多次触发失败，已停止自动处理，请管理员检查后重试"
    history = ent.case(broken)["history"]
    assert history[-1]["kind"] == "error" and history[-1]["payload"]["failures"] == 5
    assert all(ent.case(c)["status"] == "running" and "timer_fired" in [e["kind"] for e in ent.case(c)["history"]]
               for c in others)


def test_embedded_worker_round_fires_timers_and_moves_deadlines(app: Any, as_user: Any) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-30 10:00")) as clock:
        timer_case = ent.start("timer_probe").json["id"]
        clock_case = start_and_submit(ent)
        clock.move_to(local("2026-10-12 09:00"))
        run_periodic_jobs(app)
    assert ent.case(timer_case)["open_tasks"][0]["bpmn_id"] == "after"
    assert ent.case(clock_case)["deadline_state"] == "overdue"
