"""The restricted script engine refuses hostile scripts and bounds loops; ordinary scripts run."""
from __future__ import annotations

import pytest

from app.engine.scripting import RestrictedEnvironment, ScriptBudgetExceeded, compile_script


def run(script: str) -> dict[str, object]:
    context: dict[str, object] = {"amount": 3}
    RestrictedEnvironment({}, None).execute(script, context)
    return context


@pytest.mark.parametrize("script", [
    "import os",
    "from os import path",
    "x = ().__class__.__base__.__subclasses__()",
    "while True:\n    pass",
    "x = amount._private",
])
def test_hostile_scripts_are_refused_at_compile_time(script: str) -> None:
    with pytest.raises(SyntaxError):
        compile_script(script, "exec")


@pytest.mark.parametrize("script, error", [
    ("x = open('/etc/passwd').read()", NameError),
    ("x = __import__('os')", (NameError, SyntaxError)),
    ("x = eval('1+1')", (NameError, SyntaxError)),
    ("x = getattr((), '__class__')", (NameError, AttributeError)),
])
def test_dangerous_builtins_are_not_there_at_run_time(script: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        run(script)


def test_endless_for_loops_exceed_the_budget() -> None:
    with pytest.raises(ScriptBudgetExceeded):
        run("n = 0\nfor i in range(10**9):\n    n += 1")


def test_ordinary_scripts_compute_and_write_back_plain_data() -> None:
    result = run("total = sum([amount, 2])\nlabel = '合计%d' % total\nitems = [i * 2 for i in range(3)]")
    assert result["total"] == 5 and result["label"] == "合计5" and result["items"] == [0, 2, 4]


def test_expressions_see_task_data() -> None:
    env = RestrictedEnvironment({"double": lambda v: v * 2}, None)
    assert env.evaluate('decision == "approve" and double(amount) == 6', {"decision": "approve", "amount": 3})


def test_case_data_cannot_replace_the_engines_guards() -> None:
    """Data named like a guard (_getattr_, __builtins__) is not a script variable and survives the script."""
    context: dict[str, object] = {"amount": 3, "_getattr_": "x", "__builtins__": {"open": "x"}}
    environment = RestrictedEnvironment({}, None)
    environment.execute("doubled = amount * 2\nlength = len('abc')", context)
    assert context["doubled"] == 6 and context["length"] == 3
    assert context["_getattr_"] == "x"  # kept as data, never used as the guard
    assert environment.evaluate("amount.real", context) == 3  # attribute access still guarded by the real one
