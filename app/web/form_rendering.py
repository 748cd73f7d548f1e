"""JSON Schema → form fields for the templates, and a posted form → the dict the services validate.

Labels, help and choices are errors.Bilingual: the page's `_()` shows their English (`title_en`,
`description_en`) in English. Field names are the error paths of services.forms (`reason`,
`rows.0.amount`), so the messages of InvalidForm land beside their fields. Values that cannot be
converted (a word in a number field) are passed on as typed, so validation names the problem and the page
shows the input again.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from app.errors import Message, bilingual_of
from app.web.form_rules import required_now

UPLOAD_SUFFIX = "__upload"
ACCEPT_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg,.jpeg", "image/png": ".png"}
MAX_CHECKBOXES = 10

# store(field name, uploaded file) -> the attachment id (or raises; the caller decides)
Store = Callable[[str, FileStorage], str]


@dataclass
class Option:
    value: str
    title: str
    selected: bool = False


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text textarea integer number date email select checkbox checkboxes file group rows
    required: bool = False
    value: Any = ""
    error: str | None = None
    description: str | None = None
    options: list[Option] = field(default_factory=list)
    multiple: bool = False
    accept: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)  # (attachment id, file name)
    children: list[Field] = field(default_factory=list)  # group: its fields
    rows: list[list[Field]] = field(default_factory=list)  # rows: one list of fields per row
    template: list[Field] = field(default_factory=list)  # rows: a blank row (name index "__i__")
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^0-9A-Za-z_-]", "-", self.name)


def choices_of(spec: dict[str, Any]) -> list[tuple[Any, str]] | None:
    if "oneOf" in spec and all("const" in o for o in spec["oneOf"]):
        return [(o["const"], _choice_title(o)) for o in spec["oneOf"]]
    if "enum" in spec:
        return [(v, str(v)) for v in spec["enum"]]
    return None


def _choice_title(option: dict[str, Any]) -> str:
    """A form's choice title with its English (`title_en`), or the Message a handler's choice list built
    (translated as a whole, its names kept)."""
    title = option.get("title")
    if isinstance(title, Message):
        return title
    return bilingual_of(option, "title", str(option["const"])) or ""


def _is_attachment(spec: dict[str, Any]) -> bool:
    return spec.get("format") == "attachment"


def widget_of(spec: dict[str, Any]) -> str:
    """Which control a property becomes."""
    kind, items = spec.get("type"), spec.get("items") or {}
    if kind == "array":
        if _is_attachment(items):
            return "file"
        if items.get("type") == "object":
            return "rows"
        options = choices_of(items) or []
        return "checkboxes" if len(options) <= MAX_CHECKBOXES else "select"
    if _is_attachment(spec):
        return "file"
    if choices_of(spec) is not None:
        return "select"
    if kind == "object":
        return "group"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return str(kind)
    if spec.get("format") in ("date", "email"):
        return str(spec["format"])
    return "textarea" if spec.get("x-widget") == "textarea" else "text"


def _attrs(spec: dict[str, Any]) -> dict[str, Any]:
    names = {"minLength": "minlength", "maxLength": "maxlength", "minimum": "min", "maximum": "max"}
    found: dict[str, Any] = {html: spec[key] for key, html in names.items() if key in spec}
    if spec.get("readOnly") is True:
        found["readonly"] = True
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error_for(name: str, errors: Mapping[str, str], nested: bool) -> str | None:
    if name in errors:
        return errors[name]
    if nested:  # groups and rows show their children's errors beside the children
        return None
    prefix = name + "."
    return next((msg for key, msg in errors.items() if key.startswith(prefix)), None)


def _options(spec: dict[str, Any], selected: list[str]) -> list[Option]:
    return [Option(_text(value), title, _text(value) in selected) for value, title in choices_of(spec) or []]


def _accept(spec: dict[str, Any]) -> str:
    types = spec.get("x-accept") or ([spec["contentMediaType"]] if "contentMediaType" in spec else [])
    return ",".join([*types, *(ACCEPT_EXTENSIONS[t] for t in types if t in ACCEPT_EXTENSIONS)])


def build_field(name: str, spec: dict[str, Any], required: bool, value: Any, errors: Mapping[str, str],
                filenames: Mapping[str, str]) -> Field:
    widget = widget_of(spec)
    is_list = spec.get("type") == "array"
    item_spec = spec.get("items") or {} if is_list else spec
    # A single checkbox always answers (unticked is false), so it is never marked as one to fill in.
    one = Field(name=name, label=bilingual_of(spec, "title", name) or name, widget=widget,
                required=required and widget != "checkbox",
                description=bilingual_of(spec, "description"), multiple=is_list, attrs=_attrs(spec),
                error=_error_for(name, errors, widget in ("group", "rows")))
    if widget == "file":
        ids = [str(v) for v in (value if isinstance(value, list) else [value]) if v]
        one.files, one.accept = [(i, filenames.get(i, i)) for i in ids], _accept(item_spec)
    elif widget in ("select", "checkboxes"):
        selected = [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
        one.options = _options(item_spec, selected)
    elif widget == "group":
        one.children = fields_from_schema(spec, value if isinstance(value, dict) else {}, errors, filenames, name)
    elif widget == "rows":
        rows = value if isinstance(value, list) and value else [{}]
        one.rows = [fields_from_schema(item_spec, row if isinstance(row, dict) else {}, errors, filenames,
                                       f"{name}.{index}") for index, row in enumerate(rows)]
        one.template = fields_from_schema(item_spec, {}, {}, filenames, f"{name}.__i__")
    elif widget == "checkbox":
        one.value = value is True
    else:
        one.value = _text(value)
    return one


def fields_from_schema(schema: dict[str, Any], values: Mapping[str, Any] | None = None,
                       errors: Mapping[str, str] | None = None, filenames: Mapping[str, str] | None = None,
                       prefix: str = "") -> list[Field]:
    """The fields of a form (or of a group / row when `prefix` is given), filled with `values`."""
    values, errors, filenames = values or {}, errors or {}, filenames or {}
    required = required_now(schema, values)  # the form's own, and those its applying allOf branches add
    fields = []
    for key, spec in (schema.get("properties") or {}).items():
        name = f"{prefix}.{key}" if prefix else key
        one = build_field(name, spec, key in required, _looked_up(spec, values, key), errors, filenames)
        by = spec.get("x-lookup-by")
        if isinstance(spec.get("x-values"), dict) and isinstance(by, str):  # filled from a sibling's choice
            one.attrs.update(lookup_by=f"{prefix}.{by}" if prefix else by, lookup_values=spec["x-values"])
        fields.append(one)
    return fields


def _looked_up(spec: dict[str, Any], values: Mapping[str, Any], key: str) -> Any:
    """The value, or (left blank) the one an "x-values" map gives for the "x-lookup-by" sibling's choice."""
    value = values.get(key, "")
    known, by = spec.get("x-values"), spec.get("x-lookup-by")
    if value in ("", None) and isinstance(known, dict) and isinstance(by, str):
        return known.get(_text(values.get(by)), "")
    return value


def unplaced_errors(fields: list[Field], errors: Mapping[str, str]) -> list[str]:
    """Messages whose path names no field on the page (shown above the form)."""
    placed: set[str] = set()

    def walk(items: list[Field]) -> None:
        for one in items:
            if one.error:
                placed.update(k for k in errors if k == one.name or k.startswith(one.name + "."))
            walk(one.children)
            for row in one.rows:
                walk(row)
    walk(fields)
    return [msg for key, msg in errors.items() if key not in placed]


# -- posted form -> data -----------------------------------------------------------------------

def _convert(raw: str, spec: dict[str, Any]) -> Any:
    kind = spec.get("type")
    if kind == "integer":
        return int(raw) if re.fullmatch(r"[+-]?\d+", raw) else raw
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if kind == "boolean":
        return raw in ("true", "on", "1")
    return raw


def _row_indexes(form: MultiDict[str, str], name: str) -> list[str]:
    pattern = re.compile(re.escape(name) + r"\.(\d+)\.")
    found = {m.group(1) for key in form for m in [pattern.match(key)] if m}
    return sorted(found, key=int)


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return value in ("", None, [], False)


def _file_value(name: str, spec: dict[str, Any], form: MultiDict[str, str],
                files: MultiDict[str, FileStorage], store: Store) -> Any:
    ids = [i for i in form.getlist(name) if i]
    stored = [store(name, upload) for upload in files.getlist(name + UPLOAD_SUFFIX) if upload and upload.filename]
    ids += [i for i in stored if i]  # a refused upload gives no id (the caller keeps its message)
    if spec.get("type") == "array":
        return ids
    return ids[-1] if ids else None


def _value(name: str, spec: dict[str, Any], form: MultiDict[str, str], files: MultiDict[str, FileStorage],
           store: Store) -> Any:
    widget = widget_of(spec)
    if widget == "file":
        return _file_value(name, spec, form, files, store)
    if widget == "rows":
        rows = [data_from_form(spec.get("items") or {}, form, files, store, f"{name}.{i}")
                for i in _row_indexes(form, name)]
        return [row for row in rows if not _is_blank(row)]
    if widget == "group":
        return data_from_form(spec, form, files, store, name)
    if widget == "checkbox":
        return name in form
    if spec.get("type") == "array":
        return [_convert(v, spec.get("items") or {}) for v in form.getlist(name) if v != ""]
    raw = form.get(name, "").strip()
    return _convert(raw, spec) if raw else None


def data_from_form(schema: dict[str, Any], form: MultiDict[str, str], files: MultiDict[str, FileStorage],
                   store: Store, prefix: str = "") -> dict[str, Any]:
    """The dict a form POST stands for; empty inputs are left out, so "required" reports them."""
    data: dict[str, Any] = {}
    for key, spec in (schema.get("properties") or {}).items():
        value = _value(f"{prefix}.{key}" if prefix else key, spec, form, files, store)
        if value is not None:
            data[key] = value
    return data
