"""Deploy check of the values a flow's condition compares a form field with (`decision == "approved"`).

Where the field's forms offer a fixed set of values (`oneOf` consts or `enum`), a condition comparing it with
another text (`==`, `!=`, `in (...)`, `not in [...]`) can never hold as meant: before, it deployed and every case
took the other branch. The forms that count are those of the user tasks completed on some path before the flow
(with the start form and the forms of called processes); where none of them has the field, every form of the
procedure that has it. A field that a script, a handler or a decision table also writes, or whose forms offer
it free or from a handler's list (`x-choices`), is not checked: its values are not all known at deploy.
"""
from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.engine.lint import BPMN_NS, Problem, tasks_done_before
from app.errors import Listed, Message

Schema = dict[str, Any]
_NOT_OFFERED = "{what}比较的值“{value}”不是字段 {field} 的可选值（{allowed}）"
_TITLE_NOT_VALUE = ("{what}比较的值“{value}”不是字段 {field} 的可选值（{allowed}）：“{value}”是可选值 {const} 的名称，"
                    "条件须比较可选值本身")


@dataclass(frozen=True)
class ProcedureForms:
    """The procedure's forms as deploy read them: those of the main process's own user tasks (by task id), and
    those filled anywhere (the start form, the called processes' tasks)."""

    own: dict[str, Schema]
    anywhere: list[Schema]
    written: set[str]  # names scripts, handlers and decision tables write: their values are not the forms'

    def every(self) -> list[Schema]:
        return [*self.own.values(), *self.anywhere]


def _schema(text: str | None) -> Schema:
    try:
        schema = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}  # refused by the forms' check already
    return schema if isinstance(schema, dict) else {}


def procedure_forms(texts: dict[str, str], task_forms: dict[str, str], own: set[str], start_form: str | None,
                    written: set[str]) -> ProcedureForms:
    """ProcedureForms from the forms' texts (by key), the user tasks' form keys (by task id), the main process's
    own task ids, the start form's key and the names written otherwise."""
    return ProcedureForms({tid: _schema(texts.get(key)) for tid, key in task_forms.items() if tid in own},
                          [*(_schema(texts.get(key)) for tid, key in task_forms.items() if tid not in own),
                           *([_schema(texts.get(start_form))] if start_form else [])], written)


def choices(schema: Any) -> dict[str, str] | None:
    """value -> title of a field offering a fixed set of texts (`oneOf` consts with their titles, or `enum`);
    None when it is free, an array, or its values are not all texts."""
    if not isinstance(schema, dict) or schema.get("type") == "array" or "x-choices" in schema:
        return None
    options = schema.get("oneOf") if isinstance(schema.get("oneOf"), list) else schema.get("anyOf")
    if isinstance(options, list) and options:
        found = {o["const"]: str(o.get("title") or "") for o in options if isinstance(o, dict) and "const" in o}
        return found if len(found) == len(options) and all(isinstance(v, str) for v in found) else None
    values = schema.get("enum")
    if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
        return {v: "" for v in values}
    return None


def _field(form: Schema, name: str) -> Any:
    props = form.get("properties")
    return props.get(name) if isinstance(props, dict) else None


def allowed_values(name: str, forms: Iterable[Schema]) -> dict[str, str] | None:
    """The values the forms having field `name` offer together; None when one of them offers it free."""
    allowed: dict[str, str] = {}
    for form in forms:
        schema = _field(form, name)
        if schema is None:
            continue
        offered = choices(schema)
        if offered is None:
            return None
        for value, title in offered.items():
            allowed[value] = title or allowed.get(value, "")
    return allowed or None


def _texts(node: ast.expr) -> list[str] | None:
    """The texts of a literal tuple, list or set of texts; None for anything else."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return None
    texts = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return texts if len(texts) == len(node.elts) else None


def _pair(left: ast.expr, op: ast.cmpop, right: ast.expr) -> tuple[str, list[str]] | None:
    """(field, texts compared with it) of one comparison `field == "x"`, `"x" != field`, `field in ("x", "y")`."""
    if isinstance(op, ast.Eq | ast.NotEq):
        for name, text in ((left, right), (right, left)):
            if isinstance(name, ast.Name) and isinstance(text, ast.Constant) and isinstance(text.value, str):
                return name.id, [text.value]
    if isinstance(op, ast.In | ast.NotIn) and isinstance(left, ast.Name):
        texts = _texts(right)
        if texts is not None:
            return left.id, texts
    return None


def compared_texts(source: str) -> Iterator[tuple[str, str]]:
    """(field, text) of every comparison of a name the condition does not bind itself with a literal text."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        return  # refused by the compile check already
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, op, right in zip(operands, node.ops, operands[1:], strict=False):
            found = _pair(left, op, right)
            if found is not None and found[0] not in bound:
                yield from ((found[0], text) for text in found[1])


def _refusal(what: Message, name: str, value: str, allowed: dict[str, str]) -> Message:
    listed = Listed(list(allowed))  # in the forms' order
    titled = next((const for const, title in allowed.items() if title == value), None)
    if titled is not None:
        return Message(_TITLE_NOT_VALUE, what=what, value=value, field=name, allowed=listed, const=titled)
    return Message(_NOT_OFFERED, what=what, value=value, field=name, allowed=listed)


def _conditions(process: Any) -> Iterator[tuple[Any, str]]:
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and (condition.text or "").strip():
            yield flow, condition.text.strip()


def value_problems(processes: Iterable[tuple[str, Any]], main: Any, forms: ProcedureForms) -> list[Problem]:
    """Every comparison of a flow's condition with a text the field's forms never offer, named by the flow."""
    done = tasks_done_before(main, forms.own)
    problems: list[Problem] = []
    for file, process in processes:
        for flow, source in _conditions(process):
            before = done.get(flow.get("sourceRef") or "") if process is main else None
            filled = [*(forms.own[t] for t in sorted(before or ())), *forms.anywhere]
            for name, value in compared_texts(source):
                if name in forms.written:
                    continue
                defining = [f for f in filled if _field(f, name) is not None] or forms.every()
                allowed = allowed_values(name, defining)
                if allowed is not None and value not in allowed:
                    what = Message("连线“{name}”的条件", name=flow.get("name") or flow.get("id") or "")
                    problems.append({"file": file, "element": flow.get("id"),
                                     "problem": _refusal(what, name, value, allowed)})
    return problems
