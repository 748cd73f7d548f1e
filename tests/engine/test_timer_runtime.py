"""At run time a timer value the runtime cannot schedule fails the step with a Chinese message naming the
timer (the case shows 异常), and a stored value that cannot be read never makes a step raise."""
from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

from app.engine import Engine, RunningCase
from app.engine.runner import Definition, _parse
from tests.engine.bundles import FIXTURE, FUNCTIONS, with_boundary_timer

ENGINE = Engine(FUNCTIONS)


def _definition(tag: str, expression: str) -> Definition:
    text = with_boundary_timer(tag, expression)((FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8"))
    return _parse("material_review", {"bpmn/material_review.bpmn": text})


def _at_review(definition: Definition, data: dict[str, Any]) -> tuple[RunningCase, Any]:
    case, started = ENGINE.start(definition, data, None)
    return case, case.complete_task(started.ready_tasks[0].id, {"title": "材料", "amount": 2})


def test_a_naive_date_computed_at_run_time_fails_the_step_naming_the_timer() -> None:
    case, result = _at_review(_definition("timeDate", "deadline"), {"deadline": "2026-12-31T17:00:00"})
    assert result.error_step == "审核超时" and "缺少时区偏移" in str(result.error), result.error
    assert result.next_timer_at is None
    again = case.retry()  # the admin's retry evaluates the timer again: the same clear error
    assert again.error_step == "审核超时" and "缺少时区偏移" in str(again.error)


def test_a_huge_duration_at_run_time_fails_at_once() -> None:
    _case, result = _at_review(_definition("timeDuration", '"P%dY" % years'), {"years": 99999999})
    assert "超过 100 年" in str(result.error)


def test_a_valid_timer_gives_the_cases_next_timer_moment() -> None:
    _case, result = _at_review(_definition("timeDate", "deadline"), {"deadline": "2026-12-31T17:00:00+08:00"})
    assert result.error is None and [t.bpmn_id for t in result.ready_tasks] == ["review"]
    assert result.next_timer_at == datetime(2026, 12, 31, 9, tzinfo=UTC)


def _stored(case: RunningCase, value: str) -> bytes:
    """The case's state with the waiting timer's stored moment replaced (a state saved by an older build)."""
    state = json.loads(zlib.decompress(case.dump()))
    for task in state["tasks"].values():
        if "event_value" in task["internal_data"]:
            task["internal_data"]["event_value"] = value
    return zlib.compress(json.dumps(state).encode("utf-8"))


def test_an_unreadable_stored_timer_value_fails_the_step_instead_of_raising() -> None:
    definition = _definition("timeDate", "deadline")
    case, _result = _at_review(definition, {"deadline": "2026-12-31T17:00:00+08:00"})
    loaded = ENGINE.load(definition, _stored(case, "next tuesday"), "1.5", None)
    for result in (loaded.current(), loaded.fire_timers()):
        assert result.error_step == "审核超时" and "无法识别" in str(result.error), result.error
        assert result.next_timer_at is None


def test_stored_naive_and_week_date_values_are_read_as_the_library_fires_them() -> None:
    definition = _definition("timeDate", "deadline")
    case, _result = _at_review(definition, {"deadline": "2026-12-31T17:00:00+08:00"})
    for value, moment in (("2026-12-31T17:00:00", datetime(2026, 12, 31, 17)), ("2026-W50-1", datetime(2026, 12, 7))):
        result = ENGINE.load(definition, _stored(case, value), "1.5", None).current()
        assert result.error is None
        assert result.next_timer_at == moment.astimezone().astimezone(UTC)  # naive: the server's zone
