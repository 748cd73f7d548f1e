"""Saved workflow states load through the library's migrations; whatever does not load is StateUnreadable."""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from app.engine import SERIALIZER_VERSION, Engine, StateUnreadable
from app.engine.runner import Definition, _parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OLD_STATE = FIXTURES / "engine" / "material_review_state_1_4.json"  # made by make_state_1_4.py (3.1.2)
ENGINE = Engine({})


@pytest.fixture(scope="module")
def definition() -> Definition:
    text = (FIXTURES / "procedures" / "bpmn" / "material_review.bpmn").read_text("utf-8")
    return _parse("material_review", {"bpmn/material_review.bpmn": text})


def _registered(name: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
    return {"registered": params["title"]}


def _blob(state: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"))


def _current_state(definition: Definition) -> dict[str, Any]:
    case, result = ENGINE.start(definition, {}, _registered)
    case.complete_task(result.ready_tasks[0].id, {"title": "材料", "amount": 3})
    return dict(json.loads(zlib.decompress(case.dump())))


def test_a_state_written_by_spiffworkflow_3_1_is_migrated_and_runs_on(definition: Definition) -> None:
    state = json.loads(OLD_STATE.read_text("utf-8"))
    assert state["serializer_version"] == "1.4" != SERIALIZER_VERSION
    case = ENGINE.load(definition, _blob(state), "1.4", _registered)
    (review,) = case.current().ready_tasks
    assert review.bpmn_id == "review"
    assert {k: review.data[k] for k in ("title", "amount", "round_no", "label")} == {
        "title": "钢筋检测报告", "amount": 12, "round_no": 1, "label": "第1轮"}
    result = case.complete_task(review.id, {"decision": "approve"})
    assert result.error is None and result.completed and result.data["registration"] == {"registered": "钢筋检测报告"}
    assert json.loads(zlib.decompress(case.dump()))["serializer_version"] == SERIALIZER_VERSION


def test_the_version_recorded_in_the_state_decides_the_migration(definition: Definition) -> None:
    state = _current_state(definition)
    state["serializer_version"] = "1.4"  # the 1.4 -> 1.5 migration runs on it (and changes nothing here)
    case = ENGINE.load(definition, _blob(state), SERIALIZER_VERSION, _registered)
    assert [t.bpmn_id for t in case.current().ready_tasks] == ["review"]


def _with(change: dict[str, Any]) -> Any:
    def make(state: dict[str, Any]) -> bytes:
        return _blob({**state, **change})
    return make


UNREADABLE = {
    "not zlib": lambda state: b"\x00 this is not a workflow state",
    "not JSON": lambda state: zlib.compress(b"{'tasks': ...}"),
    "not an object": lambda state: _blob([state]),  # type: ignore[list-item]
    "newer version": _with({"serializer_version": "1.6"}),
    "older than migrated": _with({"serializer_version": "0.9"}),
    "unparsable version": _with({"serializer_version": "v1.4"}),
    "no tasks": lambda state: _blob({k: v for k, v in state.items() if k != "tasks"}),
    "typed dict in data": _with({"data": {"x": {"typename": "pdf"}}}),
    # SpiffWorkflow 3.2.0's own 1.4 -> 1.5 migration fails on any state with a subprocess (NameError 'sp')
    "failing migration": _with({"serializer_version": "1.4", "subprocesses": {"x": {"tasks": {}}}}),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_any_state_that_does_not_load_is_state_unreadable(definition: Definition, case: str) -> None:
    blob = UNREADABLE[case](_current_state(definition))
    with pytest.raises(StateUnreadable) as refused:
        ENGINE.load(definition, blob, SERIALIZER_VERSION, _registered)
    assert refused.value.code == "case_state_unreadable" and "无法读取" in refused.value.message
    assert refused.value.__cause__ is not None
