"""Parse and validate procedure bundles at deploy: BPMN + called processes + DMN + forms + lanes.

A bundle is refused with problems naming file, element id and problem; nothing of it is deployed.
The parser does not check scripts, conditions, timers, handler names or forms: we do it here (timers are
evaluated on sample data by app/engine/timer_check.py; the analysts' rules on structure and names are
app/engine/lint.py; forms, lanes and process properties app/engine/bundle_checks.py). The library's own
refusals are reported with their file and a Chinese prefix.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import SpiffWorkflow
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ServiceTask, UserTask

from app.engine import condition_values, dmn, lint
from app.engine.bundle_checks import (
    check_forms,
    check_lanes,
    check_process_properties,
    form_fields,
    listed,
    startable_problems,
    unknown_form,
)
from app.engine.foreign import foreign_problems
from app.engine.names import ENGLISH_NAME, english_name, english_names
from app.engine.samples import sample_data
from app.engine.scripting import compile_refusal, compile_script
from app.engine.spiff_messages import translate
from app.engine.timer_check import check_timers, unquoted_literal_problem
from app.engine.xml import XmlRefused, parse_xml
from app.errors import DeployError, Message

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")
ISO_LITERAL = re.compile(r"(R\d*/)?P[0-9TYMWDHS.,]+|\d{4}-\d{2}-\d{2}T[0-9:.+\-Z]+")
LIB_VERSION: str = getattr(SpiffWorkflow, "__version__", "3.2.0")

Problem = dict[str, str | None]
PropertyCheck = Callable[[str, str], str | None]


@dataclass
class BundleInput:
    """Everything a deploy reads: file name -> content."""

    bpmn: dict[str, bytes]
    dmn: dict[str, bytes]
    forms: dict[str, str]
    lanes: dict[str, dict[str, str]]
    handler_names: set[str]
    roles: set[str]
    task_property_check: PropertyCheck | None = None
    process_property_check: PropertyCheck | None = None
    choice_names: set[str] = field(default_factory=set)
    # The functions scripts and timers may call at run time (the services' Engine's): timers are evaluated
    # with them at deploy. Without them a timer that calls one is refused.
    script_functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # What each handler adds to the case data (a start handler's derived facts): names conditions may read.
    handler_provides: dict[str, set[str]] = field(default_factory=dict)
    # The lane scopes in which a role's users can be a task's candidates (none given: not checked).
    role_scopes: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class ProcedureBundle:
    key: str
    name: str
    files: dict[str, str]
    manifest: dict[str, Any]
    content_hash: str = ""


@dataclass
class _Scan:
    """What lxml found in the files before Spiff parses them."""

    process_file: dict[str, str] = field(default_factory=dict)       # process id -> file
    process_names: dict[str, str] = field(default_factory=dict)
    process_props: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: dict[str, set[str]] = field(default_factory=dict)          # process id -> called ids
    decisions: dict[str, str] = field(default_factory=dict)          # decision id -> dmn file
    uses_decisions: dict[str, set[str]] = field(default_factory=dict)
    dmn_outputs: set[str] = field(default_factory=set)
    decision_reads: lint.DecisionReads = field(default_factory=dict)
    process_el: dict[str, Any] = field(default_factory=dict)
    executable: dict[str, bool] = field(default_factory=dict)
    element_file: dict[str, str] = field(default_factory=dict)


def _problem(file: str | None, element: str | None, problem: str) -> Problem:
    return {"file": file, "element": element, "problem": problem}


def _q(tag: str, ns: str = BPMN_NS) -> str:
    return f"{{{ns}}}{tag}"


def _read(name: str, content: bytes, problems: list[Problem]) -> Any:
    """The document's root through the one hardened parser, or None (the problem noted)."""
    try:
        return parse_xml(content)
    except XmlRefused as exc:
        problems.append(_problem(name, None, exc.message))
        return None


def _scan_bpmn(name: str, root: Any, scan: _Scan, problems: list[Problem]) -> None:
    bpmn_ids = {e.get("id") for e in root.iter() if isinstance(e.tag, str)
                and e.tag.startswith(f"{{{BPMN_NS}}}") and e.get("id")}
    for ext in root.iter(f"{{{SPIFF_NS}}}*"):
        if ext.get("id") in bpmn_ids:
            problems.append(_problem(name, ext.get("id"), Message("扩展元素 id 与 BPMN 元素 id 重复 ({tag})",
                                                                  tag=etree.QName(ext).localname)))
    problems.extend(foreign_problems(name, root))
    for task in root.iter(_q("task")):
        problems.append(_problem(name, task.get("id"), "无类型任务：请设为用户任务、服务任务或脚本任务"))
    for process in root.iter(_q("process")):
        pid = process.get("id") or ""
        scan.process_file[pid] = name
        scan.process_el[pid] = process
        scan.executable[pid] = process.get("isExecutable") == "true"
        scan.process_names[pid] = process.get("name") or pid
        problems.extend(lint.structure_problems(name, process))
        problems.extend(lint.compile_problems(name, process))
        props: dict[str, str] = {}
        extensions = process.find(_q("extensionElements"))
        if extensions is not None:
            for prop in extensions.iter(f"{{{SPIFF_NS}}}property"):
                props[prop.get("name") or ""] = prop.get("value") or ""
        scan.process_props[pid] = props
        scan.calls[pid] = {c.get("calledElement") or "" for c in process.iter(_q("callActivity"))}
        scan.uses_decisions[pid] = {(d.text or "").strip() for d in process.iter(f"{{{SPIFF_NS}}}calledDecisionId")}
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("id"):
            scan.element_file.setdefault(el.get("id") or "", name)


def _scan_dmn(name: str, root: Any, scan: _Scan, problems: list[Problem]) -> None:
    decisions = dmn.read_decisions(name, root)
    problems.extend(dmn.decision_problems(decisions, name))
    for decision in decisions:
        if decision.id in scan.decisions:
            problems.append(_problem(name, decision.id, Message("决策 id 重复：{id} 也在 {file} 中", id=decision.id,
                                                                file=scan.decisions[decision.id])))
        scan.decisions[decision.id] = name
        scan.decision_reads[decision.id] = (name, dmn.names_read_by_decision(decision))
        scan.dmn_outputs |= {o["name"].split(".")[0] for o in decision.outputs if o["name"]}


def _decision_refs(scan: _Scan, problems: list[Problem]) -> None:
    """Every business rule task calls a decision table deployed with it, and every table is called."""
    for pid, process in scan.process_el.items():
        for task in process.iter(_q("businessRuleTask")):
            decision = lint.called_decision(task)
            if not decision:
                problems.append(_problem(scan.process_file[pid], task.get("id"),
                                         "业务规则任务没有选择决策表 (calledDecisionId)"))
            elif decision not in scan.decisions:
                problems.append(_problem(scan.process_file[pid], task.get("id"), Message(
                    "决策表 “{decision}” 不存在：请一并提交定义它的 bpmn/*.dmn 文件", decision=decision)))
    # A table no task calls would not be stored with any version: say so rather than drop it at deploy.
    used = set().union(*scan.uses_decisions.values())
    for decision, file in sorted(scan.decisions.items()):
        if decision not in used:
            problems.append(_problem(file, decision, Message(
                "决策表 “{decision}” 没有被任何业务规则任务使用，部署时不会保存：请在业务规则任务中选用它，或删除此文件",  # noqa: E501
                decision=decision)))


def _closure(pid: str, scan: _Scan) -> set[str]:
    seen: set[str] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(scan.calls.get(current, set()))
    return seen


def _timer_expressions(spec: Any) -> Iterator[tuple[Any, str]]:
    """(task spec, expression) of every timer of a process."""
    for ts in spec.task_specs.values():
        ed = getattr(ts, "event_definition", None)
        if isinstance(ed, TimerEventDefinition):
            yield ts, ed.expression


def _check_timer_expressions(spec: Any, file: str, problems: list[Problem]) -> set[str]:
    """Compile every timer's expression (conditions, scripts and parameters are compiled from the XML, with
    the structure: lint.compile_problems); the ids of the timers refused."""
    refused = set()
    for ts, src in _timer_expressions(spec):
        if not (src or "").strip():  # an expression cleared in the modeler, or a timer kind chosen without one
            problems.append(_problem(file, ts.bpmn_id, Message("定时器表达式为空：请填写定时表达式")))
            refused.add(ts.bpmn_id)
            continue
        if ISO_LITERAL.fullmatch(src.strip()):
            problems.append(_problem(file, ts.bpmn_id, unquoted_literal_problem(src.strip())))
            refused.add(ts.bpmn_id)
            continue
        try:
            compile_script(src, "eval")
        except SyntaxError as exc:
            problems.append(_problem(file, ts.bpmn_id, Message("定时器表达式无法编译（第 {line} 行）：{reason}",
                                                               line=exc.lineno or 1, reason=compile_refusal(exc))))
            refused.add(ts.bpmn_id)
    return refused


def _check_tasks(spec: Any, file: str, inp: BundleInput, problems: list[Problem]) -> dict[str, Any]:
    tasks: dict[str, Any] = {}
    for ts in spec.task_specs.values():
        if isinstance(ts, ServiceTask) and ts.operation_name not in inp.handler_names:
            problems.append(_problem(file, ts.bpmn_id, Message("未注册的处理程序 (unknown handler) '{handler}'",
                                                               handler=ts.operation_name)))
        if not isinstance(ts, UserTask):
            continue
        props = dict(ts.extensions.get("properties", {}))
        form_key = props.get("formKey")
        if not form_key:
            problems.append(_problem(file, ts.bpmn_id, "用户任务缺少 formKey 属性"))
        elif f"{form_key}.json" not in inp.forms:
            problems.append(_problem(file, ts.bpmn_id, unknown_form(form_key)))
        lane = inp.lanes.get(ts.lane or "")
        if not ts.lane:
            problems.append(_problem(file, ts.bpmn_id, "用户任务不在任何泳道中：请把它放进一个在 bpmn/lanes.json "
                                                       "中映射到角色的泳道（谁办理这一步由泳道决定）"))
        elif lane is None:
            problems.append(_problem(file, ts.bpmn_id, Message("泳道 '{lane}' 未在 bpmn/lanes.json 中映射到角色",
                                                               lane=ts.lane)))
        tasks[ts.bpmn_id] = {"title": ts.bpmn_name or ts.bpmn_id, "title_en": props.get(ENGLISH_NAME, "").strip(),
                             "lane": ts.lane,
                             "role": (lane or {}).get("role"), "scope": (lane or {}).get("scope"),
                             "form_key": form_key, "properties": props}
    return tasks


def _task_property_problems(name: str, root: Any, inp: BundleInput) -> list[Problem]:
    """User tasks' properties (办理时限 and the like), read from the XML with the structure's checks: a wrong
    limit is listed with a missing gateway default, not only once the diagram parses."""
    if inp.task_property_check is None:
        return []
    problems = []
    for task in root.iter(_q("userTask")):
        for prop in task.iter(f"{{{SPIFF_NS}}}property"):
            message = inp.task_property_check(prop.get("name") or "", prop.get("value") or "")
            if message:
                problems.append(_problem(name, task.get("id"), message))
    return problems


def build_bundles(inp: BundleInput) -> list[ProcedureBundle]:
    """Validate everything and return one bundle per procedure; raise DeployError on any problem."""
    # Problems of the documents' structure stop before the library parses them; the others (a task's limit, a
    # lane's mapping, a form's keyword, a process property) are listed with what the parsed procedure shows
    # (names read, handlers, timers): one list, not one kind of problem per deploy attempt.
    problems: list[Problem] = []
    listed: list[Problem] = []
    scan = _Scan()
    bpmn = {name: _read(name, content, problems) for name, content in sorted(inp.bpmn.items())}
    dmn_roots = {name: _read(name, content, problems) for name, content in sorted(inp.dmn.items())}
    for name, root in bpmn.items():
        if root is not None:
            _scan_bpmn(name, root, scan, problems)
            listed.extend(_task_property_problems(name, root, inp))
    for name, root in dmn_roots.items():
        if root is not None:
            _scan_dmn(name, root, scan, problems)
    _decision_refs(scan, problems)
    form_problems: list[Problem] = []
    (listed if check_forms(inp.forms, inp.choice_names, form_problems) else problems).extend(form_problems)
    check_lanes(inp.lanes, inp.roles, listed, inp.role_scopes)
    startable = _procedure_ids(scan, inp, listed, sorted(n for n, root in bpmn.items() if root is not None))
    if problems:
        raise DeployError(problems + listed)
    problems = listed
    parser = _parser_of(bpmn, dmn_roots, problems)
    bundles = [b for pid in startable if (b := _build_one(parser, pid, scan, inp, problems)) is not None]
    if problems:
        raise DeployError(problems)
    return bundles


def _procedure_ids(scan: _Scan, inp: BundleInput, problems: list[Problem], readable: list[str]) -> list[str]:
    """Startable processes (those with a casePrefix), their process properties checked; every other process
    must be called by one of them."""
    ids = sorted(pid for pid, props in scan.process_props.items() if "casePrefix" in props)
    for pid in ids:
        problems.extend(check_process_properties(scan.process_file[pid], pid, scan.process_props[pid],
                                                 inp.handler_names, inp.forms, inp.roles, inp.process_property_check))
    called = set().union(*(_closure(pid, scan) for pid in ids)) - set(ids)
    problems.extend(startable_problems(scan.process_file, scan.process_props, scan.executable, called, readable))
    return ids


def _parser_of(bpmn: dict[str, Any], dmn_docs: dict[str, Any], problems: list[Problem]) -> Any:
    """The library's parser with every document added (it parses the elements we read, never the raw bytes);
    its refusals noted with their file, and raised with the problems listed so far."""
    refused: list[Problem] = []
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name, root in bpmn.items():
        try:
            parser.add_bpmn_xml(root, filename=name)
        except SpiffWorkflowException as exc:
            refused.append(_spiff_problem(exc, name, root))
    for name, root in dmn_docs.items():
        try:
            parser.add_dmn_xml(root, filename=name)
        except SpiffWorkflowException as exc:
            refused.append(_spiff_problem(exc, name))
    if refused:
        raise DeployError(problems + refused)
    return parser


def _spiff_problem(exc: Any, file: str | None, root: Any = None) -> Problem:
    """A refusal of the library, with the file it concerns, in Chinese (spiff_messages); a data store it
    refuses is named by its id."""
    message = str(exc).splitlines()[0].strip() if str(exc) else type(exc).__name__
    text, name = translate(message)
    element = getattr(exc, "id", None) or None
    if element is None and name and root is not None:
        element = next((el.get("id") for el in root.iter(_q("dataStore")) if el.get("name") == name), None)
    return _problem(getattr(exc, "file_name", None) or file, element, Message("流程图无法解析: {text}", text=text))


def _build_one(parser: Any, pid: str, scan: _Scan, inp: BundleInput,
               problems: list[Problem]) -> ProcedureBundle | None:
    try:
        specs = [parser.get_spec(pid), *parser.get_subprocess_specs(pid).values()]
    except SpiffWorkflowException as exc:
        problems.append(_spiff_problem(exc, scan.process_file[pid]))
        return None

    def file_of(one: Any) -> str:
        return scan.process_file.get(one.name, scan.process_file[pid])

    tasks: dict[str, Any] = {}
    refused: set[str] = set()
    for one in specs:
        refused |= _check_timer_expressions(one, file_of(one), problems)
        tasks.update(_check_tasks(one, file_of(one), inp, problems))
    props = scan.process_props[pid]
    forms = sorted({t["form_key"] for t in tasks.values() if t.get("form_key")}
                   | ({props["startForm"]} if props.get("startForm") else set()))
    known = [k for k in forms if f"{k}.json" in inp.forms]
    samples = sample_data(json.loads(inp.forms[f"{k}.json"]) for k in known)
    problems.extend(check_timers(specs, file_of, inp.script_functions, samples, refused))
    problems.extend(_lint_names_and_rules(pid, scan, inp, known, tasks))
    files = _bundle_files(pid, scan, inp, known)
    used_lanes = {t["lane"] or "": inp.lanes.get(t["lane"] or "") for t in tasks.values()}
    processes = [scan.process_el[p] for p in sorted(_closure(pid, scan)) if p in scan.process_el]
    manifest = {
        "key": pid, "name": scan.process_names[pid], "name_en": english_name(scan.process_el[pid]),
        "names_en": english_names(processes), "case_prefix": props.get("casePrefix"),
        "start_roles": listed(props.get("startRoles")),
        "start_organisations": listed(props.get("startOrganisations")),
        "properties": props, "tasks": tasks, "lanes": used_lanes,
    }
    digest = hashlib.sha256(json.dumps({"files": files, "lanes": used_lanes}, sort_keys=True,
                                       ensure_ascii=False).encode("utf-8")).hexdigest()
    return ProcedureBundle(pid, scan.process_names[pid], files, manifest, digest)


def _lint_names_and_rules(pid: str, scan: _Scan, inp: BundleInput, forms: list[str],
                          tasks: dict[str, Any]) -> list[Problem]:
    """Unknown names read by the procedure's code, and task rules naming no user task of it."""
    processes = [(scan.process_file[p], scan.process_el[p]) for p in sorted(_closure(pid, scan))
                 if p in scan.process_el]
    handlers = {scan.process_props[pid].get("startHandler", "")}.union(
        *(lint.handlers_called(process) for _file, process in processes))
    every_form = set().union(*(form_fields(inp.forms[f"{k}.json"]) for k in forms))
    known = set().union(*(lint.names_written(process) for _file, process in processes),
                        *(inp.handler_provides.get(name, set()) for name in handlers),
                        scan.dmn_outputs, lint.runtime_names(inp.script_functions))
    # The procedure's own user tasks fill their forms in the flow's order: a field is known where a task
    # filling it was completed before; the start form and the called processes' forms are known everywhere.
    own = {el.get("id") for el in scan.process_el[pid].iter(f"{{{BPMN_NS}}}userTask")}
    ordered = {tid: form_fields(inp.forms[f"{t['form_key']}.json"]) for tid, t in tasks.items()
               if tid in own and t.get("form_key") in forms}
    start_form = scan.process_props[pid].get("startForm")
    anywhere = set().union(*(form_fields(inp.forms[f"{t['form_key']}.json"]) for tid, t in tasks.items()
                             if tid not in own and t.get("form_key") in forms),
                           form_fields(inp.forms[f"{start_form}.json"]) if start_form in forms else set())
    main = [(file, process) for file, process in processes if process is scan.process_el[pid]]
    problems = lint.name_problems(main, known | anywhere, {pid: ordered}, scan.decision_reads)
    problems += lint.name_problems([fp for fp in processes if fp not in main], known | every_form,
                                   decisions=scan.decision_reads)
    texts = {k: inp.forms[f"{k}.json"] for k in forms}
    task_forms = {tid: t["form_key"] for tid, t in tasks.items() if t.get("form_key") in forms}
    problems += condition_values.value_problems(processes, scan.process_el[pid], condition_values.procedure_forms(
        texts, task_forms, own, start_form if start_form in forms else None, known))
    for task_id, task in tasks.items():
        file = scan.element_file.get(task_id, scan.process_file[pid])
        problems.extend(lint.rule_problems(file, task_id, task["properties"], set(tasks)))
    return problems


def _bundle_files(pid: str, scan: _Scan, inp: BundleInput, forms: list[str]) -> dict[str, str]:
    """What a version stores: the diagrams of the process and those it calls, their decisions, its forms."""
    processes = _closure(pid, scan)
    bpmn_files = {scan.process_file[p] for p in processes if p in scan.process_file}
    decisions = set().union(*(scan.uses_decisions.get(p, set()) for p in processes))
    files = {f"bpmn/{f}": inp.bpmn[f].decode("utf-8") for f in sorted(bpmn_files)}
    files.update({f"bpmn/{scan.decisions[d]}": inp.dmn[scan.decisions[d]].decode("utf-8")
                  for d in sorted(decisions) if d in scan.decisions})
    files.update({f"forms/{k}.json": inp.forms[f"{k}.json"] for k in forms})
    return files
