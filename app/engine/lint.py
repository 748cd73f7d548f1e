"""Analysts' rules checked at deploy on the diagrams as written (lxml), before the library parses them.

Structure (per process and sub-process): no sequence flow whose source or target is missing, every element
reachable from a start event, none dead-ended (a non-end element without an outgoing flow), every exclusive
or inclusive gateway with several outgoing flows has a condition on each of them or a default.
Names: every name a condition, script or service parameter reads is a field of one of the procedure's forms,
a variable a script or a service task writes, one its start handler or a handler it calls declares it adds
(`provides`), a DMN output, or a function the runtime offers (`lead_decison == "approve"` is refused, naming
the flow and the unknown name).
Rules: `sameAs` / `notSameAs` name another user task of the procedure, `notifyApplicant` is true or false.
Every problem names its file and element, in Chinese: an errors.Message (the Chinese text, keeping its template
and values so that the pages show it in the reader's language).
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree

from app.engine.script_sandbox import Sandbox
from app.engine.scripting import compile_refusal, compile_script
from app.engine.xml import parse_xml
from app.errors import Message

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

Problem = dict[str, str | None]

FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "task",
    "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess", "exclusiveGateway", "inclusiveGateway",
    "parallelGateway", "eventBasedGateway", "complexGateway",
}
CONTAINERS = ("process", "subProcess", "transaction")
CHOICE_GATEWAYS = {"exclusiveGateway", "inclusiveGateway"}
TASK_RULES = ("sameAs", "notSameAs")
TRUE_FALSE = {"true", "false"}


def _problem(file: str | None, element: str | None, problem: str) -> Problem:
    return {"file": file, "element": element, "problem": problem}


def _condition(flow: Any) -> Message:
    return Message("连线“{name}”的条件", name=_label(flow))


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _bpmn(el: Any, name: str) -> bool:
    return isinstance(el.tag, str) and el.tag == f"{{{BPMN_NS}}}{name}"


def _label(el: Any) -> str:
    return el.get("name") or el.get("id") or ""


def _has_definition(el: Any, name: str) -> bool:
    return el.find(f"{{{BPMN_NS}}}{name}") is not None


# -- structure ---------------------------------------------------------------------------------------

def structure_problems(file: str, process: Any) -> list[Problem]:
    """Dangling flows, unreachable and dead-ended elements, gateway flows without condition or default."""
    problems: list[Problem] = []
    containers = [process, *(el for tag in CONTAINERS[1:] for el in process.iter(f"{{{BPMN_NS}}}{tag}"))]
    for container in containers:
        nodes = {el.get("id"): el for el in container if _local(el) in FLOW_NODES and el.get("id")}
        flows = [el for el in container if _bpmn(el, "sequenceFlow")]
        problems.extend(_dangling(file, nodes, flows))
        flows = [f for f in flows if f.get("sourceRef") in nodes and f.get("targetRef") in nodes]
        problems.extend(_gateway_problems(file, nodes, flows))
        problems.extend(_reach_problems(file, container, nodes, flows))
    return problems


def _dangling(file: str, nodes: dict[str, Any], flows: list[Any]) -> Iterator[Problem]:
    for flow in flows:
        for end, template in (("sourceRef", "连线的起点 '{ref}' 不存在（悬空的顺序流 dangling sequence flow）"),
                              ("targetRef", "连线的终点 '{ref}' 不存在（悬空的顺序流 dangling sequence flow）")):
            if flow.get(end) not in nodes:
                yield _problem(file, flow.get("id"), Message(template, ref=flow.get(end) or ""))


def _gateway_problems(file: str, nodes: dict[str, Any], flows: list[Any]) -> Iterator[Problem]:
    for gid, gateway in nodes.items():
        if _local(gateway) not in CHOICE_GATEWAYS:
            continue
        outgoing = [f for f in flows if f.get("sourceRef") == gid]
        if len(outgoing) < 2:
            continue
        for flow in outgoing:
            condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
            has_condition = condition is not None and (condition.text or "").strip()
            if not has_condition and gateway.get("default") != flow.get("id"):
                yield _problem(file, flow.get("id"), Message(
                    "网关“{gateway}”({id}) 有多条出口连线，此连线既没有条件也不是默认连线",
                    gateway=_label(gateway), id=gid))


def _exempt_dead_end(node: Any) -> bool:
    """Elements that legitimately have no outgoing flow."""
    kind = _local(node)
    return (kind == "endEvent" or node.get("isForCompensation") == "true"
            or node.get("triggeredByEvent") == "true"
            or (kind == "boundaryEvent" and _has_definition(node, "compensateEventDefinition"))
            or (kind == "intermediateThrowEvent" and _has_definition(node, "linkEventDefinition")))


def _roots(nodes: dict[str, Any]) -> set[str]:
    """Where a run of the container may begin: start events, event sub-processes, compensation handlers and
    link targets."""
    return {nid for nid, node in nodes.items()
            if _local(node) == "startEvent" or node.get("triggeredByEvent") == "true"
            or node.get("isForCompensation") == "true"
            or (_local(node) == "intermediateCatchEvent" and _has_definition(node, "linkEventDefinition"))}


def _reached(nodes: dict[str, Any], flows: list[Any]) -> set[str]:
    following: dict[str, list[str]] = {}
    for flow in flows:
        following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    attached: dict[str, list[str]] = {}
    for nid, node in nodes.items():
        if _local(node) == "boundaryEvent":
            attached.setdefault(node.get("attachedToRef") or "", []).append(nid)
    seen: set[str] = set()
    todo = sorted(_roots(nodes))
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(following.get(current, []) + attached.get(current, []))
    return seen


def _reach_problems(file: str, container: Any, nodes: dict[str, Any], flows: list[Any]) -> Iterator[Problem]:
    if not nodes:
        return
    if not any(_local(node) == "startEvent" for node in nodes.values()):
        yield _problem(file, container.get("id"), Message("“{name}”缺少开始事件", name=_label(container)))
        return
    reached = _reached(nodes, flows)
    sources = {f.get("sourceRef") for f in flows}
    for nid, node in nodes.items():
        if nid not in reached:
            yield _problem(file, nid, Message("“{name}”从开始事件无法到达（不可达元素 unreachable）",
                                              name=_label(node)))
        elif nid not in sources and not _exempt_dead_end(node):
            yield _problem(file, nid, Message("“{name}”没有出口连线，流程会在此中断（请连到后续步骤或结束事件）",
                                              name=_label(node)))


# -- names ----------------------------------------------------------------------------------------------

def _spiff(el: Any, name: str) -> Iterator[Any]:
    return iter(el.iter(f"{{{SPIFF_NS}}}{name}"))


def _element_code(el: Any) -> Iterator[tuple[str, str, str, str]]:
    """The scripts (script task, pre/post scripts) and service parameters of one element."""
    script = el.find(f"{{{BPMN_NS}}}script") if _bpmn(el, "scriptTask") else None
    if script is not None and (script.text or "").strip():
        yield el.get("id"), Message("“{name}”的脚本", name=_label(el)), script.text, "exec"
    extensions = el.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        return
    for tag in ("preScript", "postScript"):
        for found in extensions.findall(f"{{{SPIFF_NS}}}{tag}"):
            if (found.text or "").strip():
                yield el.get("id"), Message("“{name}”的{tag}", name=_label(el), tag=tag), found.text, "exec"
    for param in _spiff(extensions, "parameter"):
        if (param.get("value") or "").strip():
            yield (el.get("id"), Message("“{name}”的参数 {parameter}", name=_label(el), parameter=param.get("id")),
                   param.get("value"), "eval")


def expressions(process: Any) -> Iterator[tuple[str, str, str, str]]:
    """(element id, what, source, mode) of every condition, script and service parameter of a process."""
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and (condition.text or "").strip():
            yield flow.get("id") or "", _condition(flow), condition.text.strip(), "eval"
    for el in process.iter():
        if isinstance(el.tag, str) and el.get("id"):
            yield from _element_code(el)


def compile_problems(file: str, process: Any) -> list[Problem]:
    """Every condition, script and service parameter that does not compile under the script policy, named by
    the element that holds it (a condition by its flow, not by the gateway it leaves)."""
    problems = []
    for element, what, source, mode in expressions(process):
        try:
            compile_script(source, mode)
        except SyntaxError as exc:
            problems.append(_problem(file, element, Message("{what}无法编译（第 {line} 行）：{reason}", what=what,
                                                            line=exc.lineno or 1, reason=compile_refusal(exc))))
    return problems


def _tree(source: str, mode: str) -> Any:
    try:
        return ast.parse(source, mode=mode)
    except (SyntaxError, ValueError):
        return None  # refused by the compile check already


def names_read(source: str, mode: str) -> set[str]:
    """Names the code reads that it does not bind itself (its own assignments, arguments, loop variables)."""
    tree = _tree(source, mode)
    if tree is None:
        return set()
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound


def names_written(process: Any) -> set[str]:
    """Variables the process's scripts assign and its service tasks' results are stored in."""
    written = {op.get("resultVariable") for op in _spiff(process, "serviceTaskOperator") if op.get("resultVariable")}
    for _element, _what, source, mode in expressions(process):
        tree = _tree(source, mode) if mode == "exec" else None
        if tree is not None:
            written |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {name for name in written if name}


def handlers_called(process: Any) -> set[str]:
    """The handlers the process's service tasks call (what they add to the case data counts as written)."""
    return {op.get("id") or "" for op in _spiff(process, "serviceTaskOperator")}


def runtime_names(functions: dict[str, Callable[..., Any]]) -> set[str]:
    """What a script may call or read without the case providing it: builtins and the runtime's functions."""
    sandboxed = Sandbox(functions).globals()
    return set(sandboxed) | set(sandboxed["__builtins__"])


# decision id -> (its file, [(input id, Python the table evaluates)])
DecisionReads = dict[str, tuple[str, list[tuple[str, str]]]]


def called_decision(el: Any) -> str:
    found = next(_spiff(el, "calledDecisionId"), None)
    return (found.text or "").strip() if found is not None else ""


def _decision_expressions(process: Any, decisions: DecisionReads) -> Iterator[tuple[str, str, str, str, str, bool,
                                                                                   str]]:
    """The decision tables' inputs where a business rule task calls them: (…, file of the table)."""
    for task in process.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        decision = called_decision(task)
        if decision not in decisions:
            continue
        file, reads = decisions[decision]
        for input_id, source in reads:
            yield (input_id, Message("决策表“{decision}”（由“{task}”调用）的列 {column} ", decision=decision,
                                     task=_label(task), column=input_id), source, "eval",
                   task.get("id") or "", False, file)


def name_problems(processes: Iterable[tuple[str, Any]], known: set[str],
                  ordered: dict[str, dict[str, set[str]]] | None = None,
                  decisions: DecisionReads | None = None) -> list[Problem]:
    """Every unknown name read by a condition, script or parameter of these (file, process) pairs.

    `ordered` (process id -> user task id -> the fields its form fills) makes a form's fields known only
    where the task is completed before: a field of a process's own user task read by an element no path
    from that task leads to is refused (the form is filled after it, or on another branch)."""
    problems = []
    for file, process in processes:
        task_fields = (ordered or {}).get(process.get("id") or "")
        later = set().union(*task_fields.values()) if task_fields else set()
        filled = _filled_before(process, task_fields) if task_fields else {}
        located = [(*one, file) for one in _positioned_expressions(process)]
        located += list(_decision_expressions(process, decisions or {}))
        for element, what, source, mode, position, after, where in located:
            # Outside the ordered flow (event sub-processes and the like): any form of the process.
            available = known | filled.get((position, after), later)
            for name in sorted(names_read(source, mode) - available):
                if name in later:
                    problems.append(_problem(where, element, Message(
                        "{what}读取的字段 '{name}' 在此之前没有任何表单填写：填写它的表单在这一步之后或在另一条分支上",
                        what=what, name=name)))
                else:
                    problems.append(_problem(where, element, Message(
                        "{what}读取了未知的名称 '{name}'：它不是本事项任何表单的字段、脚本或服务任务写入的变量、"
                        "发起处理程序添加的数据，也不是可用函数", what=what, name=name)))
    return problems


def _positioned_expressions(process: Any) -> Iterator[tuple[str, str, str, str, str, bool]]:
    """expressions() with where each is evaluated: (…, node id, whether that node's own form is filled by then).
    A flow's condition is evaluated once its source is done; a postScript after its task's form."""
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None and (condition.text or "").strip():
            yield (flow.get("id") or "", _condition(flow), condition.text.strip(), "eval",
                   flow.get("sourceRef") or "", True)
    for el in process.iter():
        if isinstance(el.tag, str) and el.get("id"):
            for element, what, source, mode in _element_code(el):
                yield element, what, source, mode, element, what.endswith("postScript")


def _graph(process: Any) -> tuple[dict[str, set[str]], set[str]]:
    """Edges of the flow (sequence flows, boundary events, into and out of sub-processes) over every node of
    the process, and the nodes inside event sub-processes (whose order with the main flow is unknown)."""
    edges: dict[str, set[str]] = {}
    in_event_sub: set[str] = set()
    containers = [process, *(el for tag in CONTAINERS[1:] for el in process.iter(f"{{{BPMN_NS}}}{tag}"))]
    for container in containers:
        nodes = {el.get("id") for el in container if _local(el) in FLOW_NODES and el.get("id")}
        flows = [f for f in container if _bpmn(f, "sequenceFlow")]
        for flow in flows:
            edges.setdefault(flow.get("sourceRef") or "", set()).add(flow.get("targetRef") or "")
        for el in container:
            if _local(el) == "boundaryEvent" and el.get("attachedToRef"):
                edges.setdefault(el.get("attachedToRef") or "", set()).add(el.get("id") or "")
        if container is process:
            continue
        cid = container.get("id") or ""
        if container.get("triggeredByEvent") == "true" or any(
                a.get("triggeredByEvent") == "true" for a in container.iterancestors()):
            in_event_sub |= {n for n in nodes if n}
        sources = {f.get("sourceRef") for f in flows}
        starts = {el.get("id") or "" for el in container if _local(el) == "startEvent"}
        edges.setdefault(cid, set()).update(starts)
        after = edges.get(cid, set()) - starts
        for node in nodes:
            if node and node not in sources:
                edges.setdefault(node, set()).update(after)
    return edges, in_event_sub


def tasks_done_before(process: Any, tasks: Iterable[str]) -> dict[str, set[str]]:
    """node id -> which of `tasks` (user tasks of the process) are completed on some path before the node is left."""
    filled = _filled_before(process, {task: {task} for task in tasks})
    return {node: done for (node, after), done in filled.items() if after}


def _filled_before(process: Any, task_fields: dict[str, set[str]]) -> dict[tuple[str, bool], set[str]]:
    """(node, own form counted) -> the fields of the process's user tasks completed on some path before it."""
    edges, in_event_sub = _graph(process)
    nodes = {el.get("id") or "" for el in process.iter() if _local(el) in FLOW_NODES and el.get("id")}
    nodes -= in_event_sub
    boundaries = {el.get("id") or "" for el in process.iter(f"{{{BPMN_NS}}}boundaryEvent")}
    filled: dict[tuple[str, bool], set[str]] = {(n, a): set() for n in nodes for a in (False, True)}
    for task, fields in task_fields.items():
        seen: set[str] = set()
        todo = sorted(edges.get(task, set()) - boundaries)  # a boundary event fires before the form is filled
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(edges.get(current, set()))
        for node in seen & nodes:
            filled[(node, False)] |= fields
            filled[(node, True)] |= fields
        if task in nodes:
            filled[(task, True)] |= fields
    return filled


# -- task rules ------------------------------------------------------------------------------------------

def rule_problems(file: str, task_id: str, props: dict[str, str], user_tasks: set[str]) -> list[Problem]:
    """sameAs / notSameAs name another user task of the procedure; notifyApplicant is true or false."""
    problems = []
    for rule in TASK_RULES:
        target = (props.get(rule) or "").strip()
        if rule in props and (target not in user_tasks or target == task_id):
            problems.append(_problem(file, task_id, Message("{rule} 须为本事项另一个用户任务的 id，而不是 '{target}'",
                                                            rule=rule, target=target)))
    if "notifyApplicant" in props and props["notifyApplicant"].strip().lower() not in TRUE_FALSE:
        problems.append(_problem(file, task_id, Message("notifyApplicant 须为 true 或 false，而不是 '{value}'",
                                                        value=props["notifyApplicant"])))
    return problems


def names_read_by(files: dict[str, str]) -> set[str]:
    """Every name the conditions, scripts and service parameters of a version's diagrams read."""
    names: set[str] = set()
    for file_name, text in files.items():
        if not file_name.endswith(".bpmn"):
            continue
        for process in parse_xml(text.encode("utf-8")).iter(f"{{{BPMN_NS}}}process"):
            for _element, _what, source, mode in expressions(process):
                names |= names_read(source, mode)
    return names
