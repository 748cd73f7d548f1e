"""Restricted script engine: BPMN scripts and expressions run under RestrictedPython with a budget.

The library's default engine is plain eval/exec (an analyst could `import os`), and restricting
builtins alone is escapable through dunder attributes. Here every script is compiled by
RestrictedPython under our policy (no imports, no `_`-prefixed names or attributes, no `while`, no classes,
guard calls around what can grow or be walked: app/engine/script_policy.py) and runs in a sandbox whose
guards and builtins bound its work, memory and wall-clock time (app/engine/script_sandbox.py,
script_guards.py). A script over budget raises ScriptBudgetExceeded: its step fails, the case shows it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from app.engine.script_guards import Abort
from app.engine.script_policy import ScriptPolicy
from app.engine.script_sandbox import Sandbox
from app.engine.timer_values import timer_kind, timer_problem
from app.errors import Message

# Called by a service task: (operation name, evaluated parameters, task data) -> JSON-able result.
ServiceCaller = Callable[[str, dict[str, Any], dict[str, Any]], Any]


def _data_only(context: dict[str, Any]) -> dict[str, Any]:
    """Case data as script variables, never over the engine's guards (_getattr_, _write_, __builtins__ ...):
    those names all begin with "_", and deploy refuses form fields that do."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


class ScriptBudgetExceeded(Exception):
    """A script went over its budget (work, time, size of a value, nesting, recursion): Chinese message."""


class ScriptError(Exception):
    """A script's own exception whose message is not a plain string (SpiffWorkflow needs one)."""


class TimerValueRefused(ValueError):
    """A timer expression evaluated to something the runtime cannot schedule (Chinese message)."""


_CODE_CACHE: dict[tuple[str, str], Any] = {}
TIMER_START = "timer_start"  # a timer task's internal data: what now() gave when its expression was evaluated


def compile_script(source: str, mode: str) -> Any:
    """Compile a script ('exec') or expression ('eval') under the policy; SyntaxError on refusal."""
    key = (source, mode)
    code = _CODE_CACHE.get(key)
    if code is None:
        compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
        result = compiler(source, policy=ScriptPolicy)
        if result.errors:
            first = result.errors[0]
            lineno = int(first.split(":")[0].split()[-1]) if first.startswith("Line") else 1
            raise SyntaxError("; ".join(result.errors), ("<script>", lineno, 0, ""))
        code = result.code
        _CODE_CACHE[key] = code
    return code


_REFUSALS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # RestrictedPython's refusals, said in Chinese for the analyst (our own policy's are bilingual already)
    (re.compile(r'SyntaxError: [^:]*?(?: at statement: (.*))?'),
     lambda m: Message("语法错误：{statement}", statement=m[1]) if m[1] else Message("语法错误")),
    (re.compile(r'"(.+)" is an invalid variable name because it starts with "_"\.?'),
     lambda m: Message("名称“{name}”以下划线开头，流程中不允许使用", name=m[1])),
    (re.compile(r'"(.+)" is an invalid attribute name because it starts with "_"\.?'),
     lambda m: Message("属性“{name}”以下划线开头，流程中不允许使用", name=m[1])),
]


def compile_refusal(exc: SyntaxError) -> str:
    """Why `compile_script` refused the code, without its "Line n:" prefix (the caller names the line): a
    Message the pages translate when there is one reason, as there nearly always is."""
    reasons = []
    for error in str(exc.msg).split("; "):
        text = re.sub(r"^Line \d+: ", "", error)
        reasons.append(next((say(m) for pattern, say in _REFUSALS if (m := pattern.fullmatch(text))), text))
    return reasons[0] if len(reasons) == 1 else "；".join(reasons)


def _run(sandbox: Sandbox, action: Callable[[], Any]) -> Any:
    """Run compiled code in its sandbox; whatever exceeds the budget becomes ScriptBudgetExceeded."""
    try:
        return action()
    except Abort as exc:
        raise ScriptBudgetExceeded(str(exc)) from None
    except RecursionError:
        raise ScriptBudgetExceeded("脚本递归过深 (recursion too deep; script exceeded its budget)") from None
    except MemoryError:
        raise ScriptBudgetExceeded("脚本内存超出限制 (out of memory; script exceeded its budget)") from None
    except Exception as exc:
        try:  # the message is printed by whoever reports it: it must not be a bomb either
            sandbox.budget.weigh(exc.args)
        except Abort:
            raise ScriptBudgetExceeded(f"脚本错误信息过大 ({type(exc).__name__})") from None
        if exc.args and not isinstance(exc.args[0], str):
            raise ScriptError(f"{type(exc).__name__}: {str(exc)[:500]}") from exc
        raise


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates conditions and runs scripts with only the functions we expose, each call in a new sandbox."""

    def __init__(self, functions: dict[str, Callable[..., Any]], service_caller: ServiceCaller | None):
        super().__init__(dict(functions))
        self.service_caller = service_caller

    def _globals(self, sandbox: Sandbox, external_context: Any) -> dict[str, Any]:
        g = sandbox.globals()
        g.update(_data_only(external_context or {}))
        return g

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        code = compile_script(expression, "eval")
        sandbox = Sandbox(self.globals)
        g = self._globals(sandbox, external_context)
        g.update(_data_only(context))

        def evaluated() -> Any:
            value = eval(code, g)  # noqa: S307 - restricted bytecode
            sandbox.budget.weigh(value)  # a result walked by whoever uses it (a service, the serializer)
            return value
        return _run(sandbox, evaluated)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        code = compile_script(script, "exec")
        sandbox = Sandbox(self.globals)
        base = self._globals(sandbox, external_context)
        g = dict(base)
        g.update(_data_only(context))
        _run(sandbox, lambda: exec(code, g))  # noqa: S102 - restricted bytecode
        written = {key: value for key, value in g.items()  # only plain data the script wrote
                   if key not in base and not callable(value) and not key.startswith("_")}
        _run(sandbox, lambda: [sandbox.budget.weigh(v) for k, v in written.items() if v is not context.get(k)])
        context.update(written)
        for key in set(_data_only(context)) - set(g):  # `del x` in the script
            context.pop(key, None)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        if self.service_caller is None:
            raise RuntimeError("no service handlers configured")
        params = {k: v["value"] for k, v in kwargs["operation_params"].items()}
        return json.dumps(self.service_caller(kwargs["operation_name"], params, context))


class AbortStep(BaseException):
    """Raised by a service caller to abort the whole step, not to fail its task (e.g. the case changed under
    the step: a conflict, not a handler's failure). Neither the library nor the engine catches it."""


class AppScriptEngine(PythonScriptEngine):
    """Script engine whose service calls keep the handler's exception (3.2.0's own path is broken), and
    which refuses a timer value the runtime cannot schedule before the library reads it."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        definition: Any = getattr(task.task_spec, "event_definition", None)
        kind = timer_kind(definition)
        is_timer = kind is not None and expression == definition.expression
        start = self._timer_start(task) if is_timer else None
        if start is not None:  # `now()` fixed for the whole expression, and kept with the timer (below)
            external_context = {**(external_context or {}), "now": lambda: start}
        value = super().evaluate(task, expression, external_context)
        if kind is not None and is_timer:
            problem = timer_problem(kind, value)
            if problem:
                name = getattr(task.task_spec, "bpmn_name", None) or getattr(task.task_spec, "bpmn_id", "")
                refused = TimerValueRefused(f"定时器“{name}”无法安排: {problem}")
                task.error()  # an admin's retry resets it, which evaluates the expression again
                raise WorkflowTaskException(str(refused), task=task, exception=refused) from refused
            if start is not None:  # evaluated again from it on a new calendar (reschedule_timer)
                task.internal_data[TIMER_START] = start
        return value

    def _timer_start(self, task: Any) -> Any:
        """What `now()` gives a timer's expression: the moment it was first evaluated (kept in the timer task
        as TIMER_START), else now; None when the step offers no `now`."""
        clock = self.environment.globals.get("now")
        if not callable(clock):
            return None
        start = task.internal_data.get(TIMER_START)
        return clock() if start is None else start

    def reschedule_timer(self, task: Any) -> bool:
        """Evaluate a waiting timer's expression again from its start (on the functions of this step: the
        calendar as it is now) and keep the new moment when it differs; whether it moved. A value that cannot
        be scheduled now, or an expression that fails, leaves the timer as it was."""
        definition: Any = getattr(task.task_spec, "event_definition", None)
        old = task.internal_data.get("event_value")
        if timer_kind(definition) != "date" or old is None or task.internal_data.get("event_fired"):
            return False
        # A timer reached before its start was kept: it was evaluated when it began to wait (same step).
        start = task.internal_data.get(TIMER_START) or datetime.fromtimestamp(task.last_state_change, UTC).isoformat()
        try:
            value = PythonScriptEngine.evaluate(self, task, definition.expression, {"now": lambda: start})
        except Exception:  # noqa: BLE001 - kept as it was; the timer fires at its old moment
            return False
        if value == old or timer_problem("date", value):
            return False
        task.internal_data["event_value"] = value
        return True

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            name = kwargs.get("operation_name")
            raise WorkflowTaskException(f"{name}: {exc}", task=task, exception=exc) from exc


def make_script_engine(functions: dict[str, Callable[..., Any]],
                       service_caller: ServiceCaller | None = None) -> AppScriptEngine:
    return AppScriptEngine(environment=RestrictedEnvironment(functions, service_caller))
