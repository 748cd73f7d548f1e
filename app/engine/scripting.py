"""Restricted script engine: BPMN scripts and expressions run under RestrictedPython with a budget.

The library's default engine is plain eval/exec (an analyst could `import os`), and restricting
builtins alone is escapable through dunder attributes. Here every script is compiled by
RestrictedPython (no imports, no `_`-prefixed names or attributes, guarded access), `while` is
refused at compile time, and loops run under an iteration and wall-clock budget.
"""
from __future__ import annotations

import json
import operator
import time
from collections.abc import Callable, Iterator
from typing import Any

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from app.engine.timer_values import timer_kind, timer_problem

MAX_ITERATIONS = 100_000
MAX_SECONDS = 1.0

# Called by a service task: (operation name, evaluated parameters, task data) -> JSON-able result.
ServiceCaller = Callable[[str, dict[str, Any], dict[str, Any]], Any]


def _data_only(context: dict[str, Any]) -> dict[str, Any]:
    """Case data as script variables, never over the engine's guards (_getattr_, _write_, __builtins__ ...):
    those names all begin with "_", and deploy refuses form fields that do."""
    return {key: value for key, value in context.items() if not key.startswith("_")}


class ScriptBudgetExceeded(Exception):
    """A script looped longer than its iteration or time budget."""


class TimerValueRefused(ValueError):
    """A timer expression evaluated to something the runtime cannot schedule (Chinese message)."""


class ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus: no `while` (it cannot be budgeted through _getiter_)."""

    def visit_While(self, node: Any) -> Any:
        self.error(node, '不允许使用 "while" 循环 ("while" loops are not allowed in process scripts)')
        return node

    def visit_Import(self, node: Any) -> Any:
        self.error(node, '不允许 import (imports are not allowed in process scripts)')
        return node

    visit_ImportFrom = visit_Import


_CODE_CACHE: dict[tuple[str, str], Any] = {}

_INPLACE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand,
}

_EXTRA_BUILTINS = {
    "sum": sum, "min": min, "max": max, "sorted": sorted, "any": any, "all": all, "list": list,
    "dict": dict, "set": set, "tuple": tuple, "enumerate": enumerate, "zip": zip, "len": len,
}


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


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    return _INPLACE_OPS[op](x, y)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates conditions and runs scripts with only the functions we expose."""

    def __init__(self, functions: dict[str, Callable[..., Any]], service_caller: ServiceCaller | None):
        super().__init__(dict(functions))
        self.service_caller = service_caller

    def _base_globals(self) -> dict[str, Any]:
        deadline = time.monotonic() + MAX_SECONDS
        count = [0]

        def guarded_iter(ob: Any) -> Iterator[Any]:
            for item in ob:
                count[0] += 1
                if count[0] > MAX_ITERATIONS or (count[0] % 1000 == 0 and time.monotonic() > deadline):
                    raise ScriptBudgetExceeded("脚本超出循环次数或时间限制 (script exceeded its budget)")
                yield item

        g: dict[str, Any] = {
            "__builtins__": dict(safe_builtins, **_EXTRA_BUILTINS),
            "_getattr_": safer_getattr, "_getitem_": default_guarded_getitem, "_getiter_": guarded_iter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence, "_write_": full_write_guard,
            "_inplacevar_": _inplacevar,
        }
        g.update(self.globals)
        return g

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        g = self._base_globals()
        g.update(external_context or {})
        g.update(_data_only(context))
        return eval(compile_script(expression, "eval"), g)  # noqa: S307 - restricted bytecode

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        base = self._base_globals()
        base.update(external_context or {})
        g = dict(base)
        g.update(_data_only(context))
        exec(compile_script(script, "exec"), g)  # noqa: S102 - restricted bytecode
        for key, value in g.items():  # copy back only plain data the script wrote
            if key not in base and not callable(value) and not key.startswith("_"):
                context[key] = value
        for key in set(_data_only(context)) - set(g):  # `del x` in the script
            context.pop(key, None)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> str:
        if self.service_caller is None:
            raise RuntimeError("no service handlers configured")
        params = {k: v["value"] for k, v in kwargs["operation_params"].items()}
        return json.dumps(self.service_caller(kwargs["operation_name"], params, context))


class AppScriptEngine(PythonScriptEngine):
    """Script engine whose service calls keep the handler's exception (3.2.0's own path is broken), and
    which refuses a timer value the runtime cannot schedule before the library reads it."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        definition: Any = getattr(task.task_spec, "event_definition", None)
        kind = timer_kind(definition)
        if kind is not None and expression == definition.expression:
            problem = timer_problem(kind, value)
            if problem:
                name = getattr(task.task_spec, "bpmn_name", None) or getattr(task.task_spec, "bpmn_id", "")
                refused = TimerValueRefused(f"定时器“{name}”无法安排: {problem}")
                task.error()  # an admin's retry resets it, which evaluates the expression again
                raise WorkflowTaskException(str(refused), task=task, exception=refused) from refused
        return value

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as exc:
            name = kwargs.get("operation_name")
            raise WorkflowTaskException(f"{name}: {exc}", task=task, exception=exc) from exc


def make_script_engine(functions: dict[str, Callable[..., Any]],
                       service_caller: ServiceCaller | None = None) -> AppScriptEngine:
    return AppScriptEngine(environment=RestrictedEnvironment(functions, service_caller))
