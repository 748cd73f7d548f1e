"""Decision tables (DMN) at deploy: read with lxml as written, checked before the library parses them, and
described for a reader (the workspace shows a version's tables).

The library (SpiffWorkflow's DMN support, through the parser's add_dmn_xml and business rule tasks'
calledDecisionId) runs them with our restricted script engine: input expressions, input entries (unary tests
such as `<= 10`, `"simple"`, `-`, or expressions with `?` for the input) and output entries are Python.
Checked here: one decision per file with one decision table, hit policy UNIQUE (the first matching rule) or
COLLECT, every input with an expression, every cell compiling under the script policy, output names usable as
variables, rules with one entry per column. The names the inputs read are checked where a business rule task
calls the table (lint.py: fields of forms filled before it, process variables).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.engine.scripting import compile_script
from app.errors import Message

HIT_POLICIES = {"UNIQUE", "COLLECT"}
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # the library's own rule: `?` outside quotes

Problem = dict[str, str | None]


@dataclass
class DecisionInput:
    id: str
    label: str
    expression: str


@dataclass
class Decision:
    """One decision table as a reader sees it."""

    id: str
    name: str
    file: str
    hit_policy: str = "UNIQUE"
    inputs: list[DecisionInput] = field(default_factory=list)
    outputs: list[dict[str, str]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if _local(c) == name), None)


def _text(el: Any) -> str:
    found = _child(el, "text") if el is not None else None
    return (found.text or "").strip() if found is not None else ""


def read_decisions(file: str, root: Any) -> list[Decision]:
    """The decisions of a DMN document (their first table each)."""
    decisions = []
    for el in root.iter():
        if _local(el) != "decision":
            continue
        decision = Decision(el.get("id") or "", el.get("name") or el.get("id") or "", file)
        table = _child(el, "decisionTable")
        if table is not None:
            decision.hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
            for column in table:
                kind = _local(column)
                if kind == "input":
                    decision.inputs.append(DecisionInput(column.get("id") or "", column.get("label") or "",
                                                         _text(_child(column, "inputExpression"))))
                elif kind == "output":
                    decision.outputs.append({"id": column.get("id") or "", "name": column.get("name") or "",
                                             "label": column.get("label") or ""})
                elif kind == "rule":
                    decision.rules.append({
                        "id": column.get("id") or "",
                        "inputs": [_text(c) for c in column if _local(c) == "inputEntry"],
                        "outputs": [_text(c) for c in column if _local(c) == "outputEntry"],
                        "description": (_child(column, "description").text or "").strip()
                        if _child(column, "description") is not None else ""})
        decisions.append(decision)
    return decisions


def _compiles(source: str) -> str | None:
    try:
        compile_script(source, "eval")
    except SyntaxError as exc:
        return exc.msg
    return None


def entry_expression(input_expression: str, entry: str) -> str | None:
    """The Python a rule's input entry is evaluated as (as the library builds it), None for "any value"."""
    if not entry or entry == "-":
        return None
    if _QUESTION.search(entry):
        return _QUESTION.sub(f"({input_expression})", entry)
    try:
        compile(entry, "<entry>", "eval")
        return f"({input_expression}) == ({entry})"
    except SyntaxError:
        return f"{input_expression} {entry}"


def decision_problems(decisions: list[Decision], root_file: str) -> list[Problem]:
    """Everything in these tables the runtime would refuse or misread."""
    problems: list[Problem] = []
    if not decisions:
        problems.append({"file": root_file, "element": None, "problem": "决策表文件中没有决策 (decision)"})
    if len(decisions) > 1:
        problems.append({"file": root_file, "element": decisions[1].id,
                         "problem": "一个 .dmn 文件只能有一个决策：请把其余决策放到各自的文件中"})
    for decision in decisions:
        problems.extend({"file": root_file, "element": element, "problem": text}
                        for element, text in [*_column_problems(decision), *_rule_problems(decision)])
    return problems


def _column_problems(decision: Decision) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    if decision.hit_policy not in HIT_POLICIES:
        found.append((decision.id, Message("不支持的命中策略 (hit policy) {policy}：只能是 UNIQUE（第一条匹配的规则）"
                                           "或 COLLECT（所有匹配规则的输出列表）", policy=decision.hit_policy)))
    if not decision.inputs or not decision.outputs:
        found.append((decision.id, "决策表须至少有一个输入列和一个输出列"))
    for column in decision.inputs:
        if not column.expression:
            found.append((column.id, Message("输入列“{column}”缺少表达式（如 amount）",
                                             column=column.label or column.id)))
        elif (error := _compiles(column.expression)) is not None:
            found.append((column.id, Message("输入列“{column}”的表达式无法编译: {error}",
                                             column=column.label or column.id, error=error)))
    for output in decision.outputs:
        name = output["name"]
        if not name or not all(part.isidentifier() and not part.startswith("_") for part in name.split(".")):
            found.append((output["id"], Message("输出列“{column}”的名称 '{name}' 须为变量名（字母、数字、下划线，"
                                                "不以下划线开头）：决策结果以此名称写入案件数据",
                                                column=output["label"] or output["id"], name=name)))
    return found


def _rule_problems(decision: Decision) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for number, rule in enumerate(decision.rules, start=1):
        if len(rule["inputs"]) != len(decision.inputs) or len(rule["outputs"]) != len(decision.outputs):
            found.append((rule["id"], Message("第 {number} 条规则的单元格数与列数不符", number=number)))
            continue
        for column, entry in zip(decision.inputs, rule["inputs"], strict=True):
            python = entry_expression(column.expression or "x", entry)
            if python is not None and (error := _compiles(python)) is not None:
                found.append((rule["id"], Message("第 {number} 条规则的输入“{entry}”无法理解: {error}", number=number,
                                                  entry=entry, error=error)))
        for output, entry in zip(decision.outputs, rule["outputs"], strict=True):
            if entry and (error := _compiles(entry)) is not None:
                found.append((rule["id"], Message("第 {number} 条规则的输出 {output} = “{entry}”无法编译: {error}"
                                                  "（文字须加引号，如 \"full\"）", number=number, output=output["name"],
                                                  entry=entry, error=error)))
    return found


def names_read_by_decision(decision: Decision) -> list[tuple[str, str]]:
    """(column id, Python) of what the table reads from the case: input expressions, input and output entries
    (an unquoted word in an output cell is a name read, and refused as unknown)."""
    read = [(column.id, column.expression) for column in decision.inputs if column.expression]
    for rule in decision.rules:
        for column, entry in zip(decision.inputs, rule["inputs"], strict=False):
            python = entry_expression(column.expression or "x", entry)
            if python is not None:
                read.append((column.id, python))
        for output, entry in zip(decision.outputs, rule["outputs"], strict=False):
            if entry:
                read.append((output["id"], entry))
    return read


def version_decisions(files: dict[str, str]) -> list[Decision]:
    """The decision tables of a deployed version's files (bpmn/*.dmn), in file order."""
    from app.engine.xml import parse_xml  # the one hardened parser

    found: list[Decision] = []
    for name in sorted(files):
        if name.endswith(".dmn"):
            found.extend(read_decisions(name, parse_xml(files[name].encode("utf-8"))))
    return found
