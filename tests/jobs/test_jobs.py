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
from app.services.deadlines import clocks
from tests.support.deadlines import deploy_probes, local, start_and_submit


def _snapshot(app: Any, case_id: int) -> tuple[Any, ...]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        state = db.session.get(WorkflowState, case_id)
        events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
        tasks = db.session.scalar(select(func.count()).select_from(Task).where(Task.case_id == case_id))
        return case.next_timer_at, case.lock_version, state.state, events, tasks


def test_a_worker_failing_mid_fire_leaves_nothing_half_done(app: Any, as_user: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    deploy_probes(app)
    with freeze_time(utcnow() - timedelta(hours=2)):
        case_id = as_user("ent-nanning").start("timer_probe").json["id"]
    before = _snapshot(app, case_id)

    def crash(case: Any, actor: Any) -> None:  # dies after the engine moved and the tasks were written
        raise RuntimeError("worker killed")

    monkeypatch.setattr(clocks, "after_step", crash)
    with app.app_context():
        assert fire_due_timers() == 0  # rolled back and logged; the other cases would go on
    assert _snapshot(app, case_id) == before  # same timer, version, state, history and tasks
    monkeypatch.undo()
    with app.app_context():
        assert fire_due_timers() == 1
        assert fire_due_timers() == 0
    assert _snapshot(app, case_id)[0] is None


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
