"""Finished steps say what kind of event they were: a boundary event is not always a timer."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Engine, FinishedStep
from app.engine.runner import _parse, finished_step

DIAGRAM = Path(__file__).resolve().parent.parent / "fixtures" / "engine" / "boundary_kinds.bpmn"


@pytest.fixture(scope="module")
def specs() -> dict[str, object]:
    return dict(_parse("boundary_kinds", {"boundary_kinds.bpmn": DIAGRAM.read_text("utf-8")}).spec.task_specs)


@pytest.mark.parametrize("bpmn_id, kind, event_kind", [
    ("on_timer", "BoundaryEvent", "timer"),
    ("on_message", "BoundaryEvent", "message"),
    ("on_signal", "BoundaryEvent", "signal"),
    ("on_error", "BoundaryEvent", "error"),
    ("on_escalation", "BoundaryEvent", "escalation"),
    ("on_condition", "BoundaryEvent", "conditional"),
    ("cool_off", "IntermediateCatchEvent", "timer"),
    ("review", "UserTask", None),
    ("end", "EndEvent", None),
    ("start", "StartEvent", None),
])
def test_each_finished_step_names_its_event_kind(specs: dict[str, object], bpmn_id: str, kind: str,
                                                 event_kind: str | None) -> None:
    step = finished_step(specs[bpmn_id])
    assert (step.bpmn_id, step.kind, step.event_kind) == (bpmn_id, kind, event_kind)


def test_a_running_case_reports_the_timer_that_fired() -> None:
    definition = _parse("boundary_kinds", {"boundary_kinds.bpmn": DIAGRAM.read_text("utf-8")})
    _case, result = Engine({}).start(definition, {}, None)
    assert result.finished == [FinishedStep("start", "开始", "StartEvent", None),
                               FinishedStep("cool_off", "冷静期", "IntermediateCatchEvent", "timer")]
