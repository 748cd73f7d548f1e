"""Working-day timers of the diagrams follow the calendar: after a calendar change, the waiting date timers of
the open cases whose procedures count working days in a timer (`add_working_days`) are evaluated again from
their start on the calendar as it now is (engine: RunningCase.reschedule_timers), as the task deadlines beside
them are recomputed (clocks.recompute_spanning). spot_check's 陈述申辩 (5 working days, a boundary timer that
cancels it) thus never ends before the deadline the enterprise is shown.

A case whose timer moved is written through the ORM (its version bumped: a step that loaded its state before
is refused with a conflict rather than writing the old timer back) and records `deadline_moved` with
`next_timer_at` (old and new) and the cause.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.engine import SERIALIZER_VERSION, StateUnreadable
from app.extensions import db
from app.models import OPEN_STATUSES, Case
from app.services import steps
from app.services.cases import history
from app.services.deadlines import clocks
from app.services.procedures.versions import definition_of, files_of

WORKING_DAY_FUNCTION = "add_working_days"


def _counts_working_days(version_id: int) -> bool:
    """Whether a diagram of the version calls the working-day function (in a timer or a script)."""
    return any(WORKING_DAY_FUNCTION in text for name, text in files_of(version_id).items() if name.endswith(".bpmn"))


def reschedule_working_day_timers(after: datetime, cause: dict[str, Any]) -> set[int]:
    """Evaluate again the waiting timers due at or after `after` (the first moment the change concerns) of the
    open cases whose procedures count working days in their diagrams; returns the cases whose timers moved."""
    rows = db.session.execute(select(Case.id, Case.procedure_version_id).where(
        Case.status.in_(OPEN_STATUSES), Case.next_timer_at >= after)).all()
    counting: dict[int, bool] = {}
    moved: set[int] = set()
    for case_id, version_id in rows:
        if version_id not in counting:
            counting[version_id] = _counts_working_days(version_id)
        if counting[version_id] and _reschedule(case_id, cause):
            moved.add(case_id)
    return moved


def _reschedule(case_id: int, cause: dict[str, Any]) -> bool:
    case = db.session.get(Case, case_id, options=steps.step_loading())
    if case is None or case.workflow_state is None:
        return False
    state = case.workflow_state
    step = steps.Step(case, None, state)
    try:
        running = steps.ENGINE.load(definition_of(case.procedure_version_id), state.state, state.serializer_version,
                                    step.service_caller(), step.script_functions())
    except StateUnreadable:  # its own step reports it; the calendar change is not refused for it
        return False
    result = running.reschedule_timers()
    if result is None:
        return False
    before = case.next_timer_at
    state.state, state.serializer_version = running.dump(), SERIALIZER_VERSION
    case.next_timer_at = result.next_timer_at
    clocks.record_provisional_timers(case, step.provisional_timers)
    history.record(case, clocks.DEADLINE_MOVED, None, payload={
        "next_timer_at": [clocks.iso_moment(before), clocks.iso_moment(result.next_timer_at)], "cause": cause})
    return True
