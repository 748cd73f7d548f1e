"""Form fields internal to the authorities: a top-level field marked "x-internal": true holds an instruction or
a remark from one authority to another (the province's brief to the city it delegates a spot check to, its reasons
for returning a record to the city), which no reader on the applicant's side gets: not in the case's data, not in
what the history shows a submission held or changed, on the pages or in the API.

A case's data merges every form's fields by name, so the mark is a name's, per procedure version: deploy refuses
(`bundle_problems`) a mark in a form of the applicant's own steps (what he fills he reads back), one that not
every form naming the field makes, one below the top level and one on an attachment field (a submitted file is
both sides', services/cases/attachments). What the applicant must be told (a refusal's reason, the 补正 items)
is never marked.
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from app.errors import Message
from app.services.cases.history import Event
from app.services.procedures.forms import form_schema
from app.services.procedures.versions import derived, form_keys_in_order

INTERNAL = "x-internal"
# The parts of a history event that hold a form's fields by name: a submission's data and what it changed.
_FIELDS_IN_PAYLOAD = ("data", "changes")


def is_internal(spec: Any) -> bool:
    """Is this property schema marked internal to the authorities?"""
    return isinstance(spec, dict) and spec.get(INTERNAL) is True


def internal_keys(schema: Mapping[str, Any]) -> set[str]:
    """The names of a form's fields marked internal (top level only: deploy refuses a mark below it)."""
    props = schema.get("properties")
    return {key for key, spec in props.items() if is_internal(spec)} if isinstance(props, dict) else set()


def internal_keys_of_version(version_id: int) -> frozenset[str]:
    """The fields some form of the version marks internal; computed once per process."""
    return derived(version_id, "internal_keys", lambda: frozenset().union(
        *(internal_keys(form_schema(version_id, key)) for key in form_keys_in_order(version_id))))


def hidden_keys(version_id: int, applicant_side: bool) -> frozenset[str]:
    """The fields a reader does not get: the internal ones for a reader on the applicant's side (policy.
    on_applicant_side), none for the authorities."""
    return internal_keys_of_version(version_id) if applicant_side else frozenset()


def without_keys(data: Mapping[str, Any], keys: Collection[str]) -> dict[str, Any]:
    """A copy of a case's data (or a submission's) without the fields `keys`."""
    return {key: value for key, value in data.items() if key not in keys}


def payload_without(payload: dict[str, Any], keys: Collection[str]) -> dict[str, Any]:
    """An event's payload without the fields `keys` in what a form submitted and what it changed (the payload
    itself when there is nothing to leave out)."""
    if not keys or not any(isinstance(payload.get(part), dict) for part in _FIELDS_IN_PAYLOAD):
        return payload
    return {name: without_keys(value, keys) if name in _FIELDS_IN_PAYLOAD and isinstance(value, dict) else value
            for name, value in payload.items()}


def events_without(events: Iterable[Event], keys: Collection[str]) -> list[Event]:
    """The history's events as a reader who does not get the fields `keys` reads them."""
    if not keys:
        return list(events)
    return [replace(event, payload=payload_without(event.payload, keys)) for event in events]


# -- deploy ---------------------------------------------------------------------------------------------------------
Problem = dict[str, str | None]  # as deploy lists them: {file, element, problem}


def _marks_below(node: Any, path: str) -> list[str]:
    """Where (a field path) a part of a form marks "x-internal" (the form's own fields' marks taken off)."""
    found: list[str] = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            found += _marks_below(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        found += [path] if INTERNAL in node else []
        for key, value in node.items():
            found += _marks_below(value, f"{path}.{key}") if isinstance(value, dict | list) else []
    return found


def _misplaced(schema: dict[str, Any]) -> list[str]:
    """Where a form marks "x-internal" other than on one of its own (top-level) fields."""
    found = ["表单"] if INTERNAL in schema else []
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for name, spec in value.items():
                found += _marks_below({k: v for k, v in spec.items() if k != INTERNAL}, name) \
                    if isinstance(spec, dict) else []
        elif isinstance(value, dict | list):
            found += _marks_below(value, key)
    return found


def _is_attachment(spec: Mapping[str, Any]) -> bool:
    items = spec.get("items")
    return spec.get("format") == "attachment" or isinstance(items, dict) and items.get("format") == "attachment"


def _form_problems(name: str, schema: dict[str, Any], applicant_step: str | None) -> list[Problem]:
    file = f"forms/{name}.json"
    problems: list[Problem] = [{"file": file, "element": where, "problem": Message(
        "“x-internal”（仅机关内部可见）只能标记表单的顶层字段：办件数据按顶层字段名保存和显示")}
        for where in _misplaced(schema)]
    props = schema.get("properties")
    for key, spec in props.items() if isinstance(props, dict) else ():
        if not isinstance(spec, dict) or INTERNAL not in spec:
            continue
        if not isinstance(spec[INTERNAL], bool):
            problems.append({"file": file, "element": key, "problem": Message(
                "“x-internal”（仅机关内部可见）的值须为 true 或 false")})
        elif spec[INTERNAL] and applicant_step is not None:
            problems.append({"file": file, "element": key, "problem": Message(
                "字段“{field}”标记为仅机关内部可见，但本表单用于申请人一方的步骤“{step}”：申请人自己填写的内容不能"
                "对他隐藏", field=key, step=applicant_step)})
        elif spec[INTERNAL] and _is_attachment(spec):
            problems.append({"file": file, "element": key, "problem": Message(
                "附件字段“{field}”不能标记为仅机关内部可见：随提交送交的附件双方均可查看", field=key)})
    return problems


def _applicant_steps(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Form key -> the title of an applicant's step filling it (the start form's: 发起申请)."""
    steps: dict[str, str] = {}
    start = (manifest.get("properties") or {}).get("startForm")
    if start:
        steps[str(start)] = Message("发起申请")
    for bpmn_id, task in (manifest.get("tasks") or {}).items():
        if (task or {}).get("scope") == "applicant" and task.get("form_key"):
            steps.setdefault(str(task["form_key"]), str(task.get("title") or bpmn_id))
    return steps


def bundle_problems(manifest: Mapping[str, Any], files: Mapping[str, str]) -> list[Problem]:
    """Why a built procedure's forms may not deploy with their "x-internal" marks ([]: they may)."""
    applicant = _applicant_steps(manifest)
    schemas: dict[str, dict[str, Any]] = {}
    for file, text in files.items():
        if file.startswith("forms/") and file.endswith(".json"):
            schema = json.loads(text)  # built: every form is a JSON Schema
            schemas[file[len("forms/"):-len(".json")]] = schema if isinstance(schema, dict) else {}
    problems = [p for name, schema in sorted(schemas.items())
                for p in _form_problems(name, schema, applicant.get(name))]
    marked = {name: internal_keys(schema) for name, schema in schemas.items()}
    for key in sorted(set().union(*marked.values())):
        unmarked = sorted(name for name, schema in schemas.items()
                          if key in (schema.get("properties") or {}) and key not in marked[name])
        if unmarked:
            where = next(name for name in sorted(schemas) if key in marked[name])
            problems.append({"file": f"forms/{unmarked[0]}.json", "element": key, "problem": Message(
                "字段“{field}”在表单 {marked} 中标记为仅机关内部可见，在表单 {unmarked} 中没有标记：办件数据按字段名"
                "合并，同名字段须一致", field=key, marked=where, unmarked="、".join(unmarked))})
    return problems
