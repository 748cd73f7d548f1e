"""Diagrams from other tools: Camunda 7 (camunda:), Camunda 8 (zeebe:) and SpiffArena (spiffworkflow:).

`convert` turns what maps into our conventions (spiffworkflow properties: formKey, startForm, calledDecisionId,
conditions in Python, the process's casePrefix) and lists, element by element, what does not (candidate groups,
listeners, external workers, JUEL/FEEL it cannot translate, ...); the foreign attributes and extension elements
are removed from the result, so that what is left is only what we read. `foreign_problems` is the deploy's
refusal of a diagram still carrying them, element by element.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.engine.scripting import compile_script
from app.engine.xml import XmlRefused, parse_xml
from app.errors import DeployError, Message

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
FOREIGN = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

Note = dict[str, str | None]

# SpiffArena's own extensions that we read as they are.
SPIFF_READ = {"properties", "property", "preScript", "postScript", "serviceTaskOperator", "parameters", "parameter",
              "calledDecisionId"}
# SpiffArena's that we do not use (the task page is our form; tests, messages and data objects are theirs).
SPIFF_UNUSED = {
    "instructionsForEndUser": "用户任务说明（本系统的任务页面不显示，请写进表单的 description）",
    "unitTests": "SpiffArena 单元测试（本系统不运行，请用沙箱试运行）",
    "signalButtonLabel": "信号按钮文字（本系统不显示）",
    "allowGuest": "访客办理（本系统不允许）",
    "guestConfirmation": "访客确认（本系统不允许）",
    "processVariableCorrelation": "消息关联（本系统不使用 BPMN 消息）",
    "messageVariable": "消息变量（本系统不使用 BPMN 消息）",
    "messagePayload": "消息内容（本系统不使用 BPMN 消息）",
    "variableName": "数据对象变量名（本系统不使用数据对象）",
}
CAMUNDA_ATTRIBUTE_WHY = {
    "candidateGroups": "候选组：谁办理由泳道在 bpmn/lanes.json 中映射的角色和范围决定",
    "candidateUsers": "候选人：谁办理由泳道映射的角色和范围决定",
    "assignee": "指定办理人：谁办理由泳道映射的角色和范围决定（同一审核人用 sameAs 规则）",
    "dueDate": "到期时间表达式：请用 dueIn 属性（如 3 working days）",
    "followUpDate": "跟进时间：请用 dueIn / warnAt 属性",
    "priority": "优先级：本系统不使用",
    "asyncBefore": "异步标记：本系统由后台作业处理，无需设置",
    "asyncAfter": "异步标记：本系统由后台作业处理，无需设置",
    "exclusive": "作业互斥标记：本系统无需设置",
    "jobPriority": "作业优先级：本系统不使用",
    "historyTimeToLive": "历史保留期：由本系统的数据保留策略决定",
    "initiator": "发起人变量：发起人即申请人，无需设置",
    "type": "外部任务或连接器：请选择本系统已注册的处理程序 (serviceTaskOperator)",
    "topic": "外部任务主题：请选择本系统已注册的处理程序 (serviceTaskOperator)",
    "class": "Java 类：请选择本系统已注册的处理程序 (serviceTaskOperator)",
    "delegateExpression": "委托表达式：请选择本系统已注册的处理程序 (serviceTaskOperator)",
    "expression": "表达式：请选择本系统已注册的处理程序或改为脚本任务",
    "resultVariable": "结果变量：处理程序的结果变量在 serviceTaskOperator 上设置",
    "versionTag": "版本标签：本系统的版本由部署决定",
    "isStartableInTasklist": "任务列表可发起：由 startRoles 属性决定",
    "decisionRefBinding": "决策表版本绑定：决策表随事项版本一起部署",
    "calledElementBinding": "被调用流程版本绑定：被调用流程随事项版本一起部署",
}


@dataclass
class Conversion:
    """The converted files, what was converted and what does not map (each {file, element, problem})."""

    files: dict[str, str] = field(default_factory=dict)
    source: str = "bpmn"
    converted: list[Note] = field(default_factory=list)
    unmapped: list[Note] = field(default_factory=list)
    processes: list[tuple[str, str | None]] = field(default_factory=list)  # (id, name) of each process, in order


def _note(file: str, element: Any, text: str) -> Note:
    """{file, element (id), name (the element's), problem}: `text` a Message, so a page shows it in its language."""
    eid = element.get("id") if element is not None else None
    return {"file": file, "element": eid, "name": element.get("name") if element is not None else None,
            "problem": text}


def _ns(el: Any) -> str:
    return etree.QName(el).namespace or "" if isinstance(el.tag, str) else ""


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _owner(el: Any) -> Any:
    """The BPMN element an extension element belongs to (the one with an id)."""
    for ancestor in el.iterancestors():
        if _ns(ancestor) == BPMN_NS and ancestor.get("id") and _local(ancestor) != "extensionElements":
            return ancestor
    return None


def _extensions(el: Any) -> Any:
    found = el.find(f"{{{BPMN_NS}}}extensionElements")
    if found is None:
        found = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        el.insert(0, found)
    return found


def _set_property(el: Any, name: str, value: str) -> None:
    """spiffworkflow:properties/property name=value on the element (replacing one of that name)."""
    ext = _extensions(el)
    props = ext.find(f"{{{SPIFF_NS}}}properties")
    if props is None:
        props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties")
    for prop in props.findall(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _form_key(value: str) -> str:
    """A form reference of another tool as our form key: the file name without folders and extension."""
    key = value.strip().split(":")[-1].split("/")[-1]
    for suffix in ("-schema.json", ".schema.json", ".json", ".form", ".html"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key


_JUEL = re.compile(r"^\s*\$\{(?P<body>.*)\}\s*$", re.S)


def python_condition(text: str) -> str | None:
    """A JUEL (${...}) or FEEL (=...) condition as Python, when a plain translation compiles; else None."""
    text = text.strip()
    found = _JUEL.match(text)
    if found:
        body = found.group("body")
    elif text.startswith("="):
        body = text[1:]
    else:
        body = text
    body = body.strip()
    if re.search(r"\b(execution|task|authenticatedUserId)\b", body):
        return None  # Camunda's own runtime objects: no counterpart
    body = re.sub(r"&&", " and ", body)
    body = re.sub(r"\|\|", " or ", body)
    body = re.sub(r"!(?!=)", " not ", body)
    body = re.sub(r"\btrue\b", "True", body)
    body = re.sub(r"\bfalse\b", "False", body)
    body = re.sub(r"\bnull\b", "None", body)
    body = re.sub(r"\beq\b", "==", body)
    body = re.sub(r"\bne\b", "!=", body)
    if text.startswith("="):  # FEEL: a single = compares
        body = re.sub(r"(?<![=!<>])=(?!=)", "==", body)
    body = " ".join(body.split())
    try:
        compile_script(body, "eval")
    except SyntaxError:
        return None
    return body


class _Converter:
    def __init__(self, file: str, root: Any, case_prefix: str | None, lanes: set[str], out: Conversion) -> None:
        self.file, self.root, self.case_prefix, self.lanes, self.out = file, root, case_prefix, lanes, out

    def done(self, el: Any, text: Message) -> None:
        self.out.converted.append(_note(self.file, el, text))

    def missing(self, el: Any, text: Message) -> None:
        self.out.unmapped.append(_note(self.file, el, text))

    def run(self) -> None:
        for el in list(self.root.iter()):
            if isinstance(el.tag, str) and _ns(el) == BPMN_NS:
                self.bpmn_element(el)
        for el in list(self.root.iter()):
            if not isinstance(el.tag, str):
                continue
            if _ns(el) in FOREIGN and el.getparent() is not None and _ns(el.getparent()) == BPMN_NS:
                self.extension(el)  # the outermost foreign element of an extensionElements
                el.getparent().remove(el)
            elif _ns(el) == SPIFF_NS:
                self.spiff(el)
        self.tidy()

    def bpmn_element(self, el: Any) -> None:
        for name, value in list(el.attrib.items()):
            qname = etree.QName(name)
            if qname.namespace in FOREIGN:
                self.attribute(el, f"{FOREIGN[qname.namespace]}:{qname.localname}", qname.localname, value)
                del el.attrib[name]
            elif qname.namespace == MODELER_NS:
                del el.attrib[name]
        if _local(el) == "conditionExpression":
            self.condition(el)
        if _local(el) == "process":
            self.process(el)

    # -- Camunda 7 / 8 -------------------------------------------------------------------------------
    def attribute(self, el: Any, shown: str, local: str, value: str) -> None:
        kind = _local(el)
        if local == "formKey" and kind == "userTask":
            _set_property(el, "formKey", _form_key(value))
            self.done(el, Message("{shown}=\"{value}\" → formKey {key}（表单须为 forms/{key}.json）", shown=shown,
                                  value=value, key=_form_key(value)))
        elif local == "formKey" and kind == "startEvent":
            process = next((a for a in el.iterancestors() if _local(a) == "process"), None)
            if process is not None:
                _set_property(process, "startForm", _form_key(value))
                self.done(el, Message("{shown}=\"{value}\" → 流程的 startForm {key}", shown=shown, value=value,
                                      key=_form_key(value)))
        elif local == "decisionRef" and kind == "businessRuleTask":
            etree.SubElement(_extensions(el), f"{{{SPIFF_NS}}}calledDecisionId").text = value
            self.done(el, Message("{shown}=\"{value}\" → calledDecisionId {value}", shown=shown, value=value))
        else:
            why = Message(CAMUNDA_ATTRIBUTE_WHY.get(local, "本系统不读取此扩展"))
            self.missing(el, Message("{shown}=\"{value}\" 未转换：{why}", shown=shown, value=value, why=why))

    def extension(self, ext: Any) -> None:
        owner = _owner(ext)
        local, shown = _local(ext), f"{FOREIGN[_ns(ext)]}:{_local(ext)}"
        if local == "properties":
            for prop in ext:
                if _local(prop) == "property" and prop.get("name") and owner is not None:
                    _set_property(owner, prop.get("name") or "", prop.get("value") or "")
                    self.done(owner, Message("{shown} {name}={value!r} → spiffworkflow 属性", shown=shown,
                                             name=prop.get("name"), value=prop.get("value")))
        elif local == "formDefinition" and owner is not None:
            key = ext.get("formKey") or ext.get("formId") or ext.get("externalReference")
            if key:
                _set_property(owner, "formKey", _form_key(key))
                self.done(owner, Message("{shown} {value} → formKey {key}", shown=shown, value=key,
                                         key=_form_key(key)))
            else:
                self.missing(owner, Message("{shown} 内嵌表单未转换：请在表单编辑器中建立 JSON Schema 表单",
                                            shown=shown))
        elif local == "calledDecision" and owner is not None and ext.get("decisionId"):
            etree.SubElement(_extensions(owner), f"{{{SPIFF_NS}}}calledDecisionId").text = ext.get("decisionId")
            self.done(owner, Message("{shown} {value} → calledDecisionId", shown=shown, value=ext.get("decisionId")))
            if ext.get("resultVariable"):
                self.missing(owner, Message("{shown} resultVariable={value!r} 未转换：决策表的输出名即变量名",
                                            shown=shown, value=ext.get("resultVariable")))
        elif local == "formData" and owner is not None:
            fields = [f.get("id") for f in ext if _local(f) == "formField"]
            self.missing(owner, Message("{shown}（字段 {fields}）未转换：请在表单编辑器中建立同名字段的表单",
                                        shown=shown, fields=", ".join(filter(None, fields))))
        else:
            why = {
                "taskListener": "任务监听器：请改用服务任务或 notifyApplicant 等规则",
                "executionListener": "执行监听器：请改用脚本任务或服务任务",
                "inputOutput": "输入/输出映射：表单字段和脚本变量直接可用",
                "ioMapping": "输入/输出映射：表单字段和脚本变量直接可用",
                "taskDefinition": "作业类型：请选择本系统已注册的处理程序 (serviceTaskOperator)",
                "assignmentDefinition": "办理人分配：谁办理由泳道映射的角色和范围决定",
                "taskSchedule": "到期时间：请用 dueIn 属性",
                "connector": "连接器：请选择本系统已注册的处理程序 (serviceTaskOperator)",
                "field": "字段注入：请用 serviceTaskOperator 的参数",
                "failedJobRetryTimeCycle": "重试周期：由本系统的后台作业决定",
                "in": "调用参数：被调用流程可读取案件数据",
                "out": "返回参数：被调用流程的数据并入案件数据",
                "script": "脚本：请改为脚本任务",
                "userTask": "Camunda 8 用户任务标记：本系统的用户任务无需此标记",
                "versionTag": "版本标签：本系统的版本由部署决定",
                "header": "作业头：本系统不使用",
                "taskHeaders": "作业头：本系统不使用",
                "calledElement": "被调用流程：请设置 calledElement 属性",
            }.get(local, "本系统不读取此扩展")
            self.missing(owner, Message("{shown} 未转换：{why}", shown=shown, why=Message(why)))

    def condition(self, el: Any) -> None:
        flow = el.getparent()
        text = (el.text or "").strip()
        if el.get("language") and el.get("language").lower() not in ("python", "python3"):
            self.missing(flow, Message("条件的语言 {language} 未转换：请用 Python 表达式（如 decision == \"approve\"）",
                                       language=el.get("language")))
            return
        if not text or not (text.startswith("${") or text.startswith("=")):
            return
        python = python_condition(text)
        if python is None:
            self.missing(flow, Message("条件 {text!r} 无法转换为 Python 表达式："
                                       "请手工改写（如 decision == \"approve\"）", text=text))
            return
        el.text = python
        if XSI_TYPE not in el.attrib:
            el.set(XSI_TYPE, "bpmn:tFormalExpression")
        self.done(flow, Message("条件 {text!r} → {python!r}（请核对）", text=text, python=python))

    def process(self, process: Any) -> None:
        self.out.processes.append((process.get("id") or "", process.get("name")))
        if process.get("isExecutable") != "true":
            process.set("isExecutable", "true")
            self.done(process, Message("isExecutable → true"))
        props = process.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties")
        has_prefix = props is not None and any(p.get("name") == "casePrefix" for p in props)
        if not has_prefix:
            if self.case_prefix:
                _set_property(process, "casePrefix", self.case_prefix)
                self.done(process, Message("casePrefix → {prefix}", prefix=self.case_prefix))
            else:
                self.missing(process, Message("缺少 casePrefix（案件编号前缀，1-6 个大写字母）："
                                              "转换时填写，或在属性面板中设置"))
        self.tasks(process)
        for lane in process.iter(f"{{{BPMN_NS}}}lane"):
            name = lane.get("name") or lane.get("id")
            if name not in self.lanes:
                self.missing(lane, Message("泳道“{name}”：须在 bpmn/lanes.json 中映射到角色和范围", name=name))

    def tasks(self, process: Any) -> None:
        for task in process.iter(f"{{{BPMN_NS}}}task"):
            self.missing(task, Message("无类型任务：请设为用户任务（选表单）、服务任务（选处理程序）或脚本任务"))
        for kind in ("dataStore", "dataStoreReference", "dataObject", "dataObjectReference"):
            for el in self.root.iter(f"{{{BPMN_NS}}}{kind}"):
                if el.getparent() is process or kind == "dataStore":
                    self.missing(el, Message("{kind}：本系统不使用 BPMN 数据存储或数据对象，请改用表单字段或流程变量",
                                             kind=kind))
        for task in process.iter(f"{{{BPMN_NS}}}scriptTask"):
            if (task.get("scriptFormat") or "python").lower() not in ("python", "python3", "text/x-python"):
                self.missing(task, Message("脚本语言 {language} 未转换：本系统的脚本是 Python",
                                           language=task.get("scriptFormat")))
        for task in process.iter(f"{{{BPMN_NS}}}userTask"):
            props = task.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties")
            names = {p.get("name") for p in props} if props is not None else set()
            if "formKey" not in names and not self._spiff_form(task) and not self._will_get_form(task):
                self.missing(task, Message("用户任务没有表单：请在属性面板中选择表单 (formKey)"))

    def _spiff_form(self, task: Any) -> bool:
        return any(p.get("name") == "formJsonSchemaFilename" for p in task.iter(f"{{{SPIFF_NS}}}property"))

    def _will_get_form(self, task: Any) -> bool:
        return bool(task.get(f"{{{CAMUNDA_NS}}}formKey")) or any(
            _local(e) == "formDefinition" for e in task.iter() if _ns(e) == ZEEBE_NS)

    # -- SpiffArena --------------------------------------------------------------------------------
    def spiff(self, el: Any) -> None:
        local, owner = _local(el), _owner(el)
        if local == "property" and el.get("name") == "formJsonSchemaFilename" and owner is not None:
            key = _form_key(el.get("value") or "")
            el.set("name", "formKey")
            el.set("value", key)
            self.done(owner, Message("formJsonSchemaFilename → formKey {key}（表单须为 forms/{key}.json）", key=key))
        elif local == "property" and el.get("name") == "formUiSchemaFilename":
            self.missing(owner, Message("formUiSchemaFilename 未转换：表单的显示由本系统的任务页面决定"))
            el.getparent().remove(el)
        elif local in SPIFF_UNUSED:
            self.missing(owner, Message("spiffworkflow:{name} 未转换：{why}", name=local,
                                        why=Message(SPIFF_UNUSED[local])))
            if el.getparent() is not None:
                el.getparent().remove(el)

    def tidy(self) -> None:
        for ext in list(self.root.iter(f"{{{BPMN_NS}}}extensionElements")):
            if len(ext) == 0 and ext.getparent() is not None:
                ext.getparent().remove(ext)
        etree.cleanup_namespaces(self.root, top_nsmap={"spiffworkflow": SPIFF_NS})


def _source(roots: list[Any]) -> str:
    namespaces: set[str] = set()
    for root in roots:
        for el in root.iter():
            if isinstance(el.tag, str):
                namespaces.add(_ns(el))
                namespaces.update(etree.QName(a).namespace or "" for a in el.attrib)
    if ZEEBE_NS in namespaces:
        return "zeebe"
    if CAMUNDA_NS in namespaces:
        return "camunda"
    if SPIFF_NS in namespaces:
        return "spiffarena"
    return "bpmn"


def convert(files: dict[str, str], case_prefix: str | None = None, lanes: set[str] | None = None) -> Conversion:
    """Convert the diagrams (bpmn/*.bpmn) of `files`; other files pass unchanged. `lanes`: the lane names the
    lane map already maps. DeployError naming each diagram that is not read (not well-formed, a DTD)."""
    out = Conversion()
    roots = {}
    refused: list[Note] = []
    for name, text in sorted(files.items()):
        if name.endswith(".bpmn"):
            try:
                roots[name] = parse_xml(text.encode("utf-8"))
            except XmlRefused as exc:
                refused.append({"file": name, "element": None, "problem": str(exc)})
        else:
            out.files[name] = text
    if refused:
        raise DeployError(refused)
    out.source = _source(list(roots.values()))
    for name, root in roots.items():
        _Converter(name, root, case_prefix, lanes or set(), out).run()
        out.files[name] = etree.tostring(root, encoding="unicode", xml_declaration=False)
        out.files[name] = '<?xml version="1.0" encoding="UTF-8"?>\n' + out.files[name] + "\n"
    return out


def foreign_problems(file: str, root: Any) -> list[Note]:
    """A problem for every element carrying Camunda or Zeebe extensions (deploy reads none of them)."""
    problems: dict[str | None, list[str]] = {}
    order: list[Any] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        shown: list[str] = []
        owner: Any = None
        if _ns(el) == BPMN_NS:
            shown = [f"{FOREIGN[etree.QName(a).namespace or '']}:{etree.QName(a).localname}" for a in el.attrib
                     if etree.QName(a).namespace in FOREIGN]
            owner = el if el.get("id") else _owner(el)
        elif _ns(el) in FOREIGN and _ns(el.getparent()) == BPMN_NS:
            shown = [f"{FOREIGN[_ns(el)]}:{_local(el)}"]
            owner = _owner(el)
        if shown:
            key = owner.get("id") if owner is not None else None
            if key not in problems:
                problems[key] = []
                order.append(key)
            problems[key].extend(s for s in shown if s not in problems[key])
    return [{"file": file, "element": key, "problem": Message(
        "含本系统不读取的 Camunda 扩展 {names}：请先用导入转换 (POST /api/v1/procedures/conversions) 转换，并补上未转换的部分",  # noqa: E501
        names=", ".join(problems[key]))} for key in order]
