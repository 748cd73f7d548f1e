"""A script over its budget fails its step: the result carries the Chinese message and the step's name (the
case shows 异常), fast, and the request goes on instead of hanging or failing with a server error."""
from __future__ import annotations

import pytest

from app.engine import Engine
from app.engine.runner import _parse
from tests.engine.bundles import FIXTURE, FUNCTIONS


def _start_with_script(script: str) -> object:
    text = (FIXTURE / "bpmn" / "material_review.bpmn").read_text("utf-8")
    text = text.replace("<bpmn:script>round_no = 0</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>")
    definition = _parse("material_review", {"bpmn/material_review.bpmn": text})
    return Engine(FUNCTIONS).start(definition, {}, None)[1]


@pytest.mark.parametrize("script, words", [
    ("x = sum(range(3 * 10**7))", "range"),
    ("x = 'ab' * 10**8", "过大"),
    ("x = [0]\nfor i in range(60):\n    x = [x, x]", "过大"),
    ("def f(n):\n    return f(n + 1)\nx = f(0)", "递归"),
])
def test_a_script_over_budget_fails_its_step_with_a_chinese_message(script: str, words: str) -> None:
    result = _start_with_script(script)
    assert result.error_step == "初始化" and words in str(result.error), result.error  # type: ignore[attr-defined]
    assert str(result.error).startswith(("脚本", "不允许"))  # type: ignore[attr-defined]  # said plainly


def test_a_script_error_without_a_text_message_fails_its_step_too() -> None:
    """SpiffWorkflow builds its message with `":" + err.args[0]`: a KeyError(5) used to escape as a TypeError."""
    result = _start_with_script("d = {}\nx = d[5]")
    assert result.error_step == "初始化" and "KeyError: 5" in str(result.error)  # type: ignore[attr-defined]
