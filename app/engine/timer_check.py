"""Deploy-time evaluation of timer expressions: refuse what the runtime could not schedule, naming the element.

The parser compiles nothing and the runtime evaluates a timer only when a case reaches it, so a timer that
cannot work would otherwise be found by the first case (at 3 a.m.). Each expression is evaluated as a case
would evaluate it: under the restricted script engine, with the functions the runtime offers, on sample data
(the procedure's form fields with sample values of their types, plus what the process's scripts compute from
them, best effort), and its value checked by the rules the runtime applies (app/engine/timer_values.py).
A timer reading a variable only a handler (a service task's result) or a script the samples cannot run binds
is not verifiable here: it is left to the same check at run time, which fails the step with a clear message.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent

from app.engine.scripting import RestrictedEnvironment
from app.engine.timer_values import moment_problem, timer_kind, timer_problem
from app.errors import Message

Problem = dict[str, str | None]
KIND_TAGS = {"date": "timeDate", "duration": "timeDuration", "cycle": "timeCycle"}
NOT_EVALUATED = "{tag} 表达式在示例数据上无法求值 ({error})"
RAISED = "{type}: {error}"  # an exception raised by a timer expression, named by its type


def timers(spec: Any) -> Iterator[tuple[Any, str, str]]:
    """(task spec, kind, expression) of every timer event of a process."""
    for ts in spec.task_specs.values():
        definition: Any = getattr(ts, "event_definition", None)
        kind = timer_kind(definition)
        if kind is not None:
            yield ts, kind, definition.expression or ""


def unquoted_literal_problem(literal: str) -> Message:
    """The message for an ISO literal written without quotes: what to write instead, offset included."""
    quoted = literal if literal.upper().startswith(("P", "R")) or not moment_problem(literal) else literal + "+08:00"
    return Message('定时器表达式是 Python 表达式，ISO 值须加引号（日期时间须带时区偏移）: 写成 "{quoted}"',
                   quoted=quoted)


def _script_variables(env: RestrictedEnvironment, specs: list[Any], data: dict[str, Any]) -> dict[str, Any]:
    """The sample data plus what the processes' scripts compute from it (a script that fails is skipped)."""
    context = dict(data)
    for spec in specs:
        for ts in spec.task_specs.values():
            for attr in ("prescript", "script", "postscript"):
                source = getattr(ts, attr, None)
                if not source:
                    continue
                attempt = dict(context)
                try:
                    env.execute(source, attempt)
                except Exception:  # depends on data the samples do not have: the runtime will tell
                    continue
                context = attempt
    return context


def _bound_names(specs: list[Any]) -> set[str]:
    """Names the processes bind at run time besides the forms: script assignments, service task results."""
    names: set[str] = set()
    for spec in specs:
        for ts in spec.task_specs.values():
            if getattr(ts, "result_variable", None):
                names.add(ts.result_variable)
            for attr in ("prescript", "script", "postscript"):
                try:
                    tree = ast.parse(getattr(ts, attr, None) or "")
                except SyntaxError:
                    continue  # refused by the compile check
                names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def _placement_problem(ts: Any, kind: str) -> str | None:
    if kind == "cycle" and not (isinstance(ts, BoundaryEvent) and not ts.cancel_activity):
        return "timeCycle 仅支持非中断边界事件（cancelActivity=\"false\"）；其他位置请用 timeDate 或 timeDuration"
    return None


def _evaluated_problem(env: RestrictedEnvironment, kind: str, expression: str, context: dict[str, Any],
                       unknowable: set[str]) -> str | None:
    try:
        value = env.evaluate(expression, dict(context))
    except NameError as exc:
        if exc.name in unknowable:  # bound at run time by a handler or a script the samples cannot run
            return None  # not verifiable here; the runtime applies the same rules when the timer is reached
        return Message("{tag} 表达式读取了未知的名称 '{name}'：它不是本事项任何表单的字段、脚本或服务任务写入的变量，"
                       "也不是可用函数", tag=KIND_TAGS[kind], name=str(exc.name)[:100])
    except Exception as exc:
        return Message(NOT_EVALUATED, tag=KIND_TAGS[kind], error=_raised(exc))
    problem = timer_problem(kind, value)
    return Message("{tag} 表达式的结果无法安排: {problem}", tag=KIND_TAGS[kind], problem=problem) if problem else None


def _raised(exc: Exception) -> str:
    """What an expression raised, named by its type: a runtime function's own message (add_working_days' range)
    kept a Message, so that the English pages and `problem_en` read it in English; any other text cut short."""
    message = exc.args[0] if len(exc.args) == 1 else None
    if isinstance(message, Message):
        return Message(RAISED, type=type(exc).__name__, error=message)
    return RAISED.format(type=type(exc).__name__, error=str(exc)[:200])


def check_timers(specs: list[Any], file_of: Callable[[Any], str], functions: dict[str, Callable[..., Any]],
                 data: dict[str, Any], skip: set[str]) -> list[Problem]:
    """Problems of the timers of `specs` (a procedure's process and the processes it calls), evaluated on
    `data` with the runtime's script `functions`; timers whose element id is in `skip` (already refused, e.g.
    not compiling) are not evaluated."""
    env = RestrictedEnvironment(functions, None)
    context = _script_variables(env, specs, data)
    unknowable = _bound_names(specs) - set(context)
    problems: list[Problem] = []
    for spec in specs:
        for ts, kind, expression in timers(spec):
            if ts.bpmn_id in skip:
                continue
            problem = _placement_problem(ts, kind) or _evaluated_problem(env, kind, expression, context, unknowable)
            if problem:
                problems.append({"file": file_of(spec), "element": ts.bpmn_id, "problem": problem})
    return problems
