"""Task forms: JSON Schema from the case's procedure version, choices for the user, validation.

Messages are Chinese (errors.Message: a page may show them translated); a field may override them with
"x-messages": {"required": "...", ...}, and give their English in "x-messages_en" (errors.Bilingual).
"""
from __future__ import annotations

import re
from typing import Any, TypeGuard

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from sqlalchemy import bindparam, select

from app.errors import InvalidForm, Message, custom_message
from app.extensions import db
from app.models import Actor, Attachment, Case, User
from app.services.procedures.registry import ChoiceContext, get_choice_provider
from app.services.procedures.versions import form_of

# SpiffWorkflow's serializer reads a dict with this key as a typed object: in submitted data, at any
# depth, it would be saved and then make the case's state unloadable. Refused wherever it appears.
RESERVED_KEYS = frozenset({"typename"})
MAX_DEPTH = 16  # nesting of objects and lists in submitted data (the forms need 3)
# Items in any one list of submitted data, whatever the form says: the schema validator's uniqueItems and
# the choices' checks grow with the square of a list's length (20,000 ids took 12 s). Deploy refuses an
# array without maxItems, and no form needs more than this.
MAX_LIST_ITEMS = 500
# Fields a submission names that its form does not define, reported at most (each at its path): enough to fix a
# client's mistakes, not an answer as long as the body.
MAX_UNKNOWN_REPORTED = 50
_FORMAT_CHECKER = FormatChecker()

_TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否",
               "array": "列表", "object": "对象"}


def form_schema(version_id: int, form_key: str) -> dict[str, Any]:
    """The form's JSON Schema as deployed with this version: shared and read-only (cached per
    process); render_schema's result shares what it does not render with it: treat both as read-only."""
    return form_of(version_id, form_key)


def _walk_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every property schema (and array item schema) in the form, recursively."""
    found: list[dict[str, Any]] = []
    for prop in (schema.get("properties") or {}).values():
        found.append(prop)
        if prop.get("type") == "object":
            found.extend(_walk_fields(prop))
        items = prop.get("items")
        if isinstance(items, dict):
            found.append(items)
            if items.get("type") == "object":
                found.extend(_walk_fields(items))
    return found


def render_schema(schema: dict[str, Any], actor: Actor, case: Case | None, to_fill: bool = True) -> dict[str, Any]:
    """The schema for this actor: each "x-choices" field's allowed options as oneOf [{const, title}] (and each
    "x-current-values" field's values as "x-values" {sibling's choice: value}), and, for a form the actor
    fills (`to_fill`; not for showing what others filled), without the fields whose "x-roles" are not his:
    a new dict along the path to each such field (the caller may change those), the rest shared with the
    deployed form."""
    plan = _choice_plan(schema)
    if plan is None:
        rendered = dict(schema)
    else:
        rendered = _with_choices(schema, plan, ChoiceContext(actor=actor, case=case, session=db.session()))
    return _for_case(_for_roles(rendered, actor), case) if to_fill else rendered


def _for_case(schema: dict[str, Any], case: Case | None) -> dict[str, Any]:
    """Without the conditions (entries of "allOf") marked "x-unless-case": <key> when the case's data holds
    that key: what another system reported for the case stands for what the condition asks the applicant
    for (a completion acceptance from the supervision system for the acceptance certificate). The page's
    checks and the server's validation both read the schema rendered here."""
    clauses = schema.get("allOf")
    if not clauses or case is None:
        return schema
    data = case.data or {}
    kept = [c for c in clauses if not (isinstance(c, dict) and data.get(str(c.get("x-unless-case") or "")))]
    return schema if len(kept) == len(clauses) else {**schema, "allOf": kept}


def _for_roles(schema: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Without the fields whose "x-roles" names none of the actor's roles (a new employer's fields are not
    an individual's): not shown, and not accepted (validation refuses a field the form does not define)."""
    props = schema.get("properties") or {}
    hidden = [key for key, spec in props.items()
              if isinstance(spec.get("x-roles"), list) and not actor.has_role(*spec["x-roles"])]
    if not hidden:
        return schema
    kept = {key: spec for key, spec in props.items() if key not in hidden}
    required = [key for key in schema.get("required") or [] if key not in hidden]
    return {**schema, "properties": kept, "required": required}


# Where in a form choices are named: the keys (or list indices) leading from a node to each node below it that
# names "x-choices" or "x-current-values" ({} for such a node with none below it; None: nothing below). A
# deployed form is a shared, read-only object: its plan is found once per form and process, so that a request
# renders by visiting only the nodes on these paths (not the whole form).
ChoicePlan = dict[Any, "ChoicePlan"]
_PLANS: dict[int, tuple[dict[str, Any], ChoicePlan | None]] = {}


def _choice_plan(schema: dict[str, Any]) -> ChoicePlan | None:
    known = _PLANS.get(id(schema))
    if known is None or known[0] is not schema:
        known = _PLANS[id(schema)] = (schema, _plan_of(schema))
    return known[1]


def _plan_of(node: Any) -> ChoicePlan | None:
    if isinstance(node, list):
        below = {index: plan for index, item in enumerate(node) if (plan := _plan_of(item)) is not None}
        return below or None
    if not isinstance(node, dict):
        return None
    below = {key: plan for key, value in node.items() if (plan := _plan_of(value)) is not None}
    if below or isinstance(node.get("x-choices"), str) or isinstance(node.get("x-current-values"), str):
        return below
    return None


def _with_choices(node: Any, plan: ChoicePlan, ctx: ChoiceContext) -> Any:
    """A copy of `node` along `plan` with the choices rendered (what the plan does not reach is shared)."""
    if isinstance(node, list):
        items = list(node)
        for index, below in plan.items():
            items[index] = _with_choices(node[index], below, ctx)
        return items
    copied = {**node, **{key: _with_choices(node[key], below, ctx) for key, below in plan.items()}}
    provider_name = node.get("x-choices")
    values_name = node.get("x-current-values")
    if isinstance(values_name, str):  # a value per sibling choice (a record's current values): "x-values"
        provider = get_choice_provider(values_name)
        copied["x-values"] = {str(key): value for key, value in (provider(ctx) if provider else [])}
    if isinstance(provider_name, str):
        provider = get_choice_provider(provider_name)
        options = provider(ctx) if provider else []
        copied["oneOf"] = ([{"const": value, "title": title} for value, title in options]
                           or [{"const": None, "title": "（无可选项）"}])
    return copied


def _field_title(schema: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    node = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = (node.get("properties") or {}).get(part, {})
    return node


# Chinese templates of the generic validation messages (the page translates them by template).
_MESSAGES = {
    "required": "此项为必填项",
    "type": "格式不正确，应为{kind}",
    "minLength": "至少填写 {limit} 个字符",
    "maxLength": "最多填写 {limit} 个字符",
    "minimum": "不能小于 {limit}", "maximum": "不能大于 {limit}",
    "minItems": "至少需要 {limit} 项", "maxItems": "最多 {limit} 项",
    "enum": "请选择有效的选项", "oneOf": "请选择有效的选项", "const": "请选择有效的选项",
    "format": "格式不正确",
    "pattern": "格式不正确",
    "uniqueItems": "不能重复选择",
}


def _message(error: ValidationError, field: dict[str, Any]) -> str:
    custom = custom_message(field, str(error.validator))
    if custom:
        return custom
    validator, value = str(error.validator), error.validator_value
    if validator == "minLength" and value == 1:
        return Message(_MESSAGES["required"])
    if validator == "format" and value == "date":
        return Message("日期格式应为 YYYY-MM-DD")
    if validator == "type":
        return Message(_MESSAGES["type"], kind=Message(_TYPE_NAMES.get(str(value), str(value))))
    if validator in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return Message(_MESSAGES[validator], limit=value)
    return Message(_MESSAGES.get(validator, "填写有误"))


def _error_paths(error: ValidationError) -> list[list[Any]]:
    """Where the error belongs; a missing-fields error names every missing field (all at once)."""
    path = list(error.absolute_path)
    if error.validator == "required":
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]  # "required" holds names
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [k for k in required if k not in present]
        if missing:
            return [[*path, key] for key in missing]
    return [path]


def _is_text(spec: Any) -> bool:
    kind = spec.get("type") if isinstance(spec, dict) else None
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def _is_object(spec: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(spec, dict) and (spec.get("type") == "object" or "properties" in spec)


def _defines(spec: dict[str, Any], key: Any) -> bool:
    """Whether the object schema `spec` (the form, or an object field of it, or a list's item) has a member
    named `key`: one of its "properties", or a name its "patternProperties" match; any name where it declares
    "additionalProperties" (true or a schema). A form's object that says nothing of additionalProperties is
    taken as closed, as JSON Schema's "additionalProperties": false would have it: a page can only send the
    fields it shows, and an API client's typo or extra key is refused rather than dropped or stored."""
    if key in (spec.get("properties") or {}):
        return True
    extra = spec.get("additionalProperties", False)
    if extra is not False and extra is not None:
        return True
    for pattern in spec.get("patternProperties") or {}:
        try:
            if isinstance(key, str) and re.search(pattern, key):
                return True
        except re.error:  # not a pattern (deploy's meta-schema check does not read the regex)
            continue
    return False


def _unknown_fields(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """The members of the data that their object's schema does not define (`_defines`), by path (as the
    validator's errors: "findings.bid_award.extra", "verifiers.1.phone"), a reserved name told as such. Objects
    and lists of objects are looked into by their own field's schema, so the walk goes no deeper than the form;
    a list longer than MAX_LIST_ITEMS is left to _structure_errors. At most MAX_UNKNOWN_REPORTED."""
    errors: dict[str, str] = {}
    stack: list[tuple[str, dict[str, Any], dict[str, Any]]] = [("", schema, data)]
    while stack and len(errors) < MAX_UNKNOWN_REPORTED:
        path, spec, value = stack.pop()
        props = spec.get("properties") or {}
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not _defines(spec, key):
                errors[where] = (Message("不能使用保留字段名“{key}”", key=key) if key in RESERVED_KEYS
                                 else Message("表单中没有该字段"))
                if len(errors) >= MAX_UNKNOWN_REPORTED:
                    break
                continue
            field = props.get(key)
            items = field.get("items") if isinstance(field, dict) else None
            if isinstance(item, dict) and _is_object(field):
                stack.append((where, field, item))
            elif isinstance(item, list) and _is_object(items) and len(item) <= MAX_LIST_ITEMS:
                stack.extend((f"{where}.{index}", items, row) for index, row in reversed(list(enumerate(item)))
                             if isinstance(row, dict))
    return errors


def _trimmed(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Text as a page's form sends it (app/web/form_rendering.py strips each box and leaves an empty one out):
    every text field's value without the whitespace around it (str.strip: spaces, ideographic spaces, line
    breaks), and left out when nothing else is left, so that "required" and "minLength" judge the text
    itself, whichever way it came. Nested objects and lists of objects are trimmed by their own fields. Only
    the members the schema defines (`_defines`), at every depth: the others are refused (_unknown_fields), and
    the validator is not to report them a second time."""
    props = schema.get("properties") or {}
    trimmed: dict[str, Any] = {}
    for key, value in data.items():
        if not _defines(schema, key):
            continue
        spec = props.get(key)
        items = spec.get("items") if isinstance(spec, dict) else None
        if isinstance(value, str) and _is_text(spec):
            value = value.strip()
            if not value:
                continue
        elif isinstance(value, dict) and _is_object(spec):
            value = _trimmed(spec, value)
        elif isinstance(value, list) and _is_object(items):
            value = [_trimmed(items, item) if isinstance(item, dict) else item for item in value]
        trimmed[key] = value
    return trimmed


def _clean(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Keep only the fields the form defines (at any depth), their text trimmed (`_trimmed`); drop empty strings
    of optional fields."""
    cleaned = {}
    for key, value in _trimmed(schema, data).items():
        if value == "" and key not in schema.get("required", []):
            continue
        cleaned[key] = value
    return cleaned


def _too_many_items(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """Top-level lists longer than their field's maxItems, told before the validator walks them."""
    errors: dict[str, str] = {}
    for key, field in (schema.get("properties") or {}).items():
        value, limit = data.get(key), field.get("maxItems") if isinstance(field, dict) else None
        if isinstance(value, list) and isinstance(limit, int) and len(value) > limit:
            custom = custom_message(field, "maxItems")
            attachments = (field.get("items") or {}).get("format") == "attachment"
            errors[key] = (custom if custom
                           else Message("每项最多上传 {limit} 个附件" if attachments else _MESSAGES["maxItems"],
                                        limit=limit))
    return errors


def _structure_errors(data: dict[str, Any]) -> dict[str, str]:
    """Reserved keys (at any depth), too deep nesting and too long lists, by field path; walked without
    recursion."""
    errors: dict[str, str] = {}
    stack: list[tuple[list[Any], Any]] = [([], data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict | list) and len(path) > MAX_DEPTH:
            errors.setdefault(str(path[0]), Message("数据嵌套层数过多（最多 {limit} 层）", limit=MAX_DEPTH))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in RESERVED_KEYS:
                    errors[".".join(str(p) for p in [*path, key])] = Message("不能使用保留字段名“{key}”", key=key)
                else:
                    stack.append(([*path, key], item))
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                errors.setdefault(".".join(str(p) for p in path),
                                  Message("最多 {limit} 项", limit=MAX_LIST_ITEMS))
                continue
            stack.extend(([*path, index], item) for index, item in enumerate(value))
    return errors


def validate(schema: dict[str, Any], data: dict[str, Any], case: Case | None = None,
             actor: Actor | None = None) -> dict[str, Any]:
    """Return the cleaned data or raise InvalidForm with a Chinese message per field path. A field the form (as
    rendered for the actor: without other roles' fields) does not define, at any depth, is refused at its path
    with the form's other errors. With the `case`, its attachment fields may name only the case's files that
    `actor` (who submits: required with a case) sees."""
    if not isinstance(data, dict):
        raise InvalidForm({"": Message("表单数据应为对象")})
    unknown = _unknown_fields(schema, data)
    cleaned = _clean(schema, data)
    structure = _too_many_items(schema, cleaned) or _structure_errors(cleaned)
    if structure:  # before the schema: its validator recurses into the data, and long lists cost squares
        raise InvalidForm({**unknown, **structure})
    validator = Draft202012Validator(schema, format_checker=_FORMAT_CHECKER)
    errors: dict[str, str] = dict(unknown)
    for error in sorted(validator.iter_errors(cleaned), key=lambda e: len(list(e.absolute_path))):
        for path in _error_paths(error):
            key = ".".join(str(p) for p in path) or "_form"
            errors.setdefault(key, _message(error, _field_title(schema, path)))
    if not errors and case is not None:
        if actor is None:
            raise TypeError("validate: a case's form is validated for the actor who submits it")
        errors.update(_check_attachments(schema, cleaned, case, actor))
    if errors:
        raise InvalidForm(errors)
    return cleaned


MAX_ATTACHMENTS_PER_FIELD = 20  # scans of one document; a field naming thousands of ids is not a submission


def _attachments_named(schema: dict[str, Any], data: dict[str, Any], case: Case, actor: Actor) -> dict[str, Any]:
    """The case's attachments that the data's attachment fields name and the actor may see (id, content_type,
    filename: all the checks read), in one query of those columns and the uploader's organisation. An upload of
    another organisation than the actor's counts only where the case's visibility rule shows it to him
    (services/cases/attachments.attachments_seen_by: an upload no submission names yet is its own side's): the
    other side's unsubmitted file (a reviewer's draft report, an applicant's unsent 补正 file) is, for the form,
    a file that does not exist, and a submission naming it would make it part of the case."""
    ids: set[str] = set()
    for key, field in (schema.get("properties") or {}).items():
        spec = field.get("items", {}) if field.get("type") == "array" else field
        if spec.get("format") == "attachment" and key in data:
            value = data[key]
            ids.update(str(i) for i in (value if isinstance(value, list) else [value]))
    if not ids:
        return {}
    found = {a.id: a for a in db.session.execute(_NAMED_ATTACHMENTS, {"ids": sorted(ids), "case": case.id})}
    if all(a.organisation_id == actor.organisation_id for a in found.values()):
        return found  # his organisation's uploads: his own side's (the usual submission: no more reading)
    # Imported here: the case services import this module (start validates its form).
    from app.services.cases.attachments import attachments_seen_by
    seen = attachments_seen_by(actor, case).ids
    return {key: a for key, a in found.items() if key in seen}


# Built once: a statement built per request costs more CPU than its execution.
_NAMED_ATTACHMENTS = (select(Attachment.id, Attachment.content_type, Attachment.filename, User.organisation_id)
                      .join(User, User.id == Attachment.uploaded_by_id)
                      .where(Attachment.id.in_(bindparam("ids", expanding=True)),
                             Attachment.case_id == bindparam("case")))


def _check_attachments(schema: dict[str, Any], data: dict[str, Any], case: Case, actor: Actor) -> dict[str, str]:
    errors: dict[str, str] = {}
    found = _attachments_named(schema, data, case, actor)
    for key, field in (schema.get("properties") or {}).items():
        is_list = field.get("type") == "array"
        spec = field.get("items", {}) if is_list else field
        if spec.get("format") != "attachment" or key not in data:
            continue
        ids = data[key] if is_list else [data[key]]
        if len(ids) > MAX_ATTACHMENTS_PER_FIELD:
            errors[key] = Message("每项最多上传 {limit} 个附件", limit=MAX_ATTACHMENTS_PER_FIELD)
            continue
        if len({str(i) for i in ids}) != len(ids):
            errors[key] = Message("同一附件不能重复提交")
            continue
        accepted = spec.get("x-accept") or ([spec["contentMediaType"]] if "contentMediaType" in spec else [])
        for attachment_id in ids:
            attachment = found.get(str(attachment_id))
            if attachment is None:
                errors[key] = Message("附件不存在或不属于本办件，请重新上传")
            elif accepted and attachment.content_type not in accepted:
                errors[key] = Message("附件类型不符合要求：{filename}", filename=attachment.filename)
    return errors
