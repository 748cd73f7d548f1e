"""A form's client-side rules, derived from its JSON Schema: what the page's script checks before a submit.

Progressive enhancement of the server renderer (form_rendering.py): the page works without the script and
the server stays the authority (services.forms validates every submission). The script (static/js/forms.js)
reads the rules from a JSON block on the page:

- per top-level field: `required`, `pattern`, `minLength`/`maxLength`, `minItems`/`maxItems`, each with its
  message in the page's language (the schema's `x-messages` first, as the server words them, and
  its `x-messages_en` in English);
- the form's `allOf` of `if`/`then`: `when` (field -> allowed values, from `if`'s `const`/`enum` and
  `required`), the fields `then` requires and the limits it adds. A field marked `"x-conditional": true`
  is shown only while a branch that requires it applies (an unlock kind's own uploads); other fields stay
  visible and are marked required while a branch applies (a comment required on rejection).

`if` parts outside this subset are left to the server.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app

from app.errors import custom_message

Translate = Callable[..., str]

# The server's generic messages (services/procedures/forms.py), by keyword; {limit} is the schema's value.
GENERIC = {"required": "此项为必填项", "pattern": "格式不正确", "minLength": "至少填写 {limit} 个字符",
           "maxLength": "最多填写 {limit} 个字符", "minItems": "至少需要 {limit} 项", "maxItems": "最多 {limit} 项"}
LIMITS = ("pattern", "minLength", "maxLength", "minItems", "maxItems")


def _message(spec: Mapping[str, Any], keyword: str, value: Any, translate: Translate) -> str:
    custom = custom_message(spec, keyword)
    if custom:
        return translate(custom)
    if keyword == "minLength" and value == 1:
        return translate(GENERIC["required"])
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        return translate(GENERIC[keyword], limit=value)
    return translate(GENERIC[keyword])


def _limits(spec: Mapping[str, Any], base: Mapping[str, Any], translate: Translate) -> dict[str, Any]:
    """The checks of `spec` (a property, or a `then`'s addition to it); messages from `base`'s x-messages."""
    found: dict[str, Any] = {key: spec[key] for key in LIMITS if key in spec}
    if found:
        found["messages"] = {key: _message(base, key, spec[key], translate) for key in LIMITS if key in spec}
    return found


def condition_of(part: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """An `if` as field -> allowed values (strings); None when it uses more than const/enum/required."""
    if set(part) - {"properties", "required"}:
        return None
    when: dict[str, list[str]] = {}
    for name, spec in (part.get("properties") or {}).items():
        if set(spec) - {"const", "enum"}:
            return None
        values = [spec["const"]] if "const" in spec else list(spec.get("enum") or [])
        when[name] = [text(v) for v in values]
    for name in part.get("required") or []:
        when.setdefault(name, [])  # present, any value
    return when


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def holds(when: Mapping[str, list[str]], values: Mapping[str, Any]) -> bool:
    """Does a condition hold for these (submitted or stored) values?"""
    for name, allowed in when.items():
        value = values.get(name)
        if value in (None, "", []):
            return False
        if allowed and text(value) not in allowed:
            return False
    return True


def branches(schema: Mapping[str, Any]) -> list[tuple[dict[str, list[str]], dict[str, Any]]]:
    """The form's understood `allOf` branches: (condition, then)."""
    found = []
    for part in schema.get("allOf") or []:
        when = condition_of(part.get("if") or {}) if isinstance(part, dict) else None
        if when is not None and isinstance(part.get("then"), dict):
            found.append((when, part["then"]))
    return found


def required_now(schema: Mapping[str, Any], values: Mapping[str, Any]) -> set[str]:
    """The fields required for these values: the form's own and those of the branches that apply."""
    names = set(schema.get("required") or [])
    for when, then in branches(schema):
        if holds(when, values):
            names.update(then.get("required") or [])
    return names


def client_rules(schema: Mapping[str, Any], translate: Translate) -> dict[str, Any]:
    """The rules the page's script applies, messages translated for the page."""
    props: Mapping[str, Any] = schema.get("properties") or {}
    fields = {}
    for name, spec in props.items():
        rule = _limits(spec, spec, translate)
        rule["requiredMessage"] = _message(spec, "required", None, translate)
        rule["required"] = name in (schema.get("required") or [])
        rule["conditional"] = spec.get("x-conditional") is True
        fields[name] = rule
    conditions = []
    for when, then in branches(schema):
        added = {name: _limits(spec, props.get(name) or {}, translate)
                 for name, spec in (then.get("properties") or {}).items() if name in props}
        conditions.append({"when": when, "required": [n for n in then.get("required") or [] if n in props],
                           "limits": {name: rule for name, rule in added.items() if rule}})
    return {"fields": fields, "conditions": conditions, "uploads": _upload_limits(translate),
            "summary": translate("表单填写有误，请按提示修改"), "requiredWord": translate("（必填）")}


def _upload_limits(translate: Translate) -> dict[str, Any]:
    """Checked before the page sends its files: one too large is refused by the server with the page kept,
    but files together past the request's limit are refused unread (413), and the page's input with them."""
    each, total = current_app.config["MAX_UPLOAD_BYTES"], current_app.config["MAX_UPLOADS_TOTAL_BYTES"]
    return {"maxBytes": each, "maxTotal": total,
            "tooLarge": translate("附件超过大小限制（最大 {n} MB）").format(n=each // (1024 * 1024)),
            "totalTooLarge": translate("本次选择的附件合计超过 {n} MB，请分次上传（先暂存）或压缩后重试").format(
                n=total // (1024 * 1024))}
