"""Deploy checks of a bundle's forms, lane map and process properties (the diagrams' own: lint.py, registry.py)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from app.errors import Listed, Message
from app.models import OrganisationKind

Problem = dict[str, str | None]
PropertyCheck = Callable[[str, str], str | None]
PREFIX_RE = re.compile(r"^[A-Z]{1,6}$")
SCOPES = {"applicant", "case_city", "case_region", "province"}
# The organisation kinds a procedure may restrict its start to (startOrganisations).
ORGANISATION_KINDS = frozenset(kind.value for kind in OrganisationKind)
NOT_STARTABLE = ("流程“{id}”既不可发起也未被任何可发起的流程调用：缺少 casePrefix 属性（spiffworkflow:properties，例如 "
                 "<spiffworkflow:property name=\"casePrefix\" value=\"JS\"/>）")
NOT_EXECUTABLE = ("流程“{id}”既不可发起也未被任何可发起的流程调用：缺少 isExecutable=\"true\" 和 casePrefix 属性"
                  "（spiffworkflow:properties，例如 <spiffworkflow:property name=\"casePrefix\" value=\"JS\"/>）")


def problem(file: str | None, element: str | None, text: str) -> Problem:
    return {"file": file, "element": element, "problem": text}


def unknown_form(form_key: str) -> Message:
    return Message("表单不存在 (unknown form) forms/{form}.json", form=form_key)


def _choice_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("x-choices"), str):
            yield node["x-choices"]
        for value in node.values():
            yield from _choice_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _choice_refs(value)


def _unbounded_arrays(node: Any, path: str = "") -> Iterator[str]:
    """Fields whose schema is an array without maxItems (a submission could then be any length), by path."""
    if isinstance(node, dict):
        kinds = node.get("type")
        if (kinds == "array" or (isinstance(kinds, list) and "array" in kinds)) \
                and not isinstance(node.get("maxItems"), int):
            yield path or "(form)"
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, field in value.items():
                    yield from _unbounded_arrays(field, f"{path}.{name}" if path else str(name))
            else:
                yield from _unbounded_arrays(value, path)
    elif isinstance(node, list):
        for value in node:
            yield from _unbounded_arrays(value, path)


def form_fields(text: str) -> set[str]:
    """The top-level fields of a form (what a completed form puts into the case data); none if unreadable."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError:
        return set()
    props = schema.get("properties") if isinstance(schema, dict) else None
    return set(props) if isinstance(props, dict) else set()


SCHEMA_KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$defs", "$comment", "definitions", "title", "description", "type", "enum", "const",
    "default", "examples", "readOnly", "writeOnly", "deprecated", "properties", "required", "additionalProperties",
    "patternProperties", "propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
    "items", "prefixItems", "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems",
    "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "contentMediaType", "contentEncoding",
    "unevaluatedProperties", "unevaluatedItems"})
# The conventions of bpmn/README.md ("Forms") that app/services/procedures/forms.py and the page renderer read.
OUR_KEYWORDS = frozenset({"x-choices", "x-messages", "x-accept", "x-widget", "x-placeholder", "x-max-bytes",
                          "x-order", "x-help", "x-rows", "x-show-if", "x-conditional", "x-unless-case",
                          "x-current-values", "x-lookup-by", "x-roles", "x-document",
                          "x-internal",  # authorities only (services/cases/internal_fields; deploy checks where)
                          # the English beside the Chinese; x-outcome_en: a decision choice's English as an outcome
                          # ("Unlock refused"), where title_en is the reviewer's button ("Refuse the unlock")
                          "title_en", "description_en", "x-messages_en", "x-outcome_en"})
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def unknown_keywords(schema: Any, path: str = "") -> list[tuple[str, str]]:
    """(where, keyword) of each keyword of `schema` that is neither JSON Schema's nor ours (a typo such as
    `requird` is otherwise ignored by jsonschema: the field silently optional); where is 表单 for the top."""
    if not isinstance(schema, dict):
        return []
    found = [(path or "表单", key) for key in schema if key not in SCHEMA_KEYWORDS and key not in OUR_KEYWORDS]
    properties = schema.get("properties")
    for name, sub in properties.items() if isinstance(properties, dict) else ():
        found += unknown_keywords(sub, f"{path}.{name}" if path else name)
    for key in _SUBSCHEMAS:
        found += unknown_keywords(schema.get(key), f"{path}.{key}" if path else key)
    for key in _SUBSCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key) or []) if isinstance(schema.get(key), list) else ():
            found += unknown_keywords(sub, f"{path}.{key}[{i}]" if path else f"{key}[{i}]")
    return found


def check_forms(forms: dict[str, str], choice_names: set[str], problems: list[Problem]) -> bool:
    """The forms' problems; whether every form is a JSON Schema (the procedure can be built with them)."""
    readable = True
    for name, text in forms.items():
        try:
            schema = json.loads(text)
            Draft202012Validator.check_schema(schema)
        except json.JSONDecodeError as exc:
            problems.append(problem(f"forms/{name}", None, Message(
                "表单不是有效的 JSON：第 {line} 行第 {column} 列 {error}", line=exc.lineno, column=exc.colno,
                error=exc.msg)))
            readable = False
            continue
        except SchemaError as exc:  # where, and jsonschema's one-line reason (not its dump of the meta-schema)
            where = ".".join(str(part) for part in exc.path) or None
            problems.append(problem(f"forms/{name}", where, Message(
                "表单不是有效的 JSON Schema：{where} 处的值 {value} 不符合规范", where=where or "表单",
                value=json.dumps(exc.instance, ensure_ascii=False)[:80])))
            readable = False
            continue
        readable = readable and isinstance(schema, dict)
        for where, keyword in unknown_keywords(schema):
            problems.append(problem(f"forms/{name}", where, Message("未知关键字 “{keyword}”", keyword=keyword)))
        for where in _unbounded_arrays(schema):
            problems.append(problem(f"forms/{name}", where,
                                    Message("列表字段须规定最多项数 (array without maxItems) '{field}'", field=where)))
        for ref in _choice_refs(schema):
            if ref not in choice_names:
                problems.append(problem(f"forms/{name}", ref,
                                        Message("未注册的选项来源 (unknown x-choices) '{name}'", name=ref)))
        for field_name in (schema.get("properties") or {}) if isinstance(schema, dict) else ():
            # A form's fields become script variables: a name of the script engine's own (its guards all
            # begin with "_") or SpiffWorkflow's typed-object marker must not be a field.
            if field_name.startswith("_") or field_name == "typename" or not field_name.isidentifier():
                problems.append(problem(f"forms/{name}", field_name, Message(
                    "字段名不可用 (reserved or not an identifier) '{field}'", field=field_name)))
    return readable


def check_lanes(lanes: dict[str, Any], roles: set[str], problems: list[Problem],
                role_scopes: dict[str, frozenset[str]] | None = None) -> None:
    for lane, rule in lanes.items():
        if not isinstance(rule, dict):
            problems.append(problem("bpmn/lanes.json", lane, "泳道映射须为 {\"role\": …, \"scope\": …}"))
            continue
        role, scope = rule.get("role"), rule.get("scope")
        allowed = (role_scopes or {}).get(role, SCOPES) if isinstance(role, str) else SCOPES
        if role not in roles:
            problems.append(problem("bpmn/lanes.json", lane, Message("未知角色 '{role}'", role=role)))
        if scope not in SCOPES:
            problems.append(problem("bpmn/lanes.json", lane, Message("未知范围 '{scope}'", scope=scope)))
        elif scope not in allowed:  # a task no user can be a candidate for: its cases would wait for ever
            problems.append(problem("bpmn/lanes.json", lane, Message(
                "角色 '{role}' 的用户不会成为范围 '{scope}' 的任务的办理人，此泳道的任务将无人可办："
                "该角色可用的范围为 {allowed}", role=role, scope=scope, allowed="、".join(sorted(allowed)))))


def check_process_properties(file: str, pid: str, props: dict[str, str], handlers: set[str], forms: dict[str, str],
                             roles: set[str], property_check: PropertyCheck | None) -> list[Problem]:
    """The properties of a startable process: prefix, handlers, start form, start roles and organisation kinds,
    clock properties."""
    problems = []
    if not PREFIX_RE.match(props["casePrefix"]):
        problems.append(problem(file, pid, "casePrefix 须为 1-6 个大写字母"))
    for key in ("startHandler", "withdrawHandler"):
        if props.get(key) and props[key] not in handlers:
            problems.append(problem(file, pid, Message("{property} 未注册的处理程序 (unknown handler) '{handler}'",
                                                       property=key, handler=props[key])))
    if props.get("startForm") and f"{props['startForm']}.json" not in forms:
        problems.append(problem(file, pid, unknown_form(props["startForm"])))
    for name, value in props.items():
        message = property_check(name, value) if property_check else None
        if message:
            problems.append(problem(file, pid, message))
    return problems + _start_right_problems(file, pid, props, roles)


def _start_right_problems(file: str, pid: str, props: dict[str, str], roles: set[str]) -> list[Problem]:
    """Who may start it: a role or an organisation kind the server does not know, named."""
    problems = [problem(file, pid, Message("startRoles 含未知角色 '{role}'", role=role))
                for role in listed(props.get("startRoles")) if role not in roles]
    problems += [problem(file, pid, Message("startOrganisations 含未知单位类型 '{kind}'（可用：{known}）",
                                            kind=kind, known=Listed(sorted(ORGANISATION_KINDS))))
                 for kind in listed(props.get("startOrganisations")) if kind not in ORGANISATION_KINDS]
    return problems


def listed(value: str | None) -> list[str]:
    """A comma-separated property (startRoles, startOrganisations) as its items; absent or empty: none."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def startable_problems(process_file: dict[str, str], props: dict[str, dict[str, str]], executable: dict[str, bool],
                       called: set[str], files: list[str]) -> list[Problem]:
    """A bundle must start something, and each of its processes must be startable or called by one that is:
    a diagram without our properties is a problem that says what is missing, never a silent success."""
    startable = [pid for pid, p in props.items() if "casePrefix" in p]
    problems = []
    if not process_file:
        return [problem(name, None, "文件中没有流程 (bpmn:process)，没有可部署的事项") for name in files]
    for pid, file in sorted(process_file.items()):
        if pid in startable or pid in called:
            continue
        problems.append(problem(file, pid, Message(NOT_STARTABLE if executable.get(pid) else NOT_EXECUTABLE, id=pid)))
    return problems
