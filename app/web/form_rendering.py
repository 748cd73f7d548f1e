"""JSON Schema → form fields for the templates, and a posted form → the dict the services validate.

Labels, help and choices are errors.Bilingual: the page's `_()` shows their English (`title_en`,
`description_en`) in English. Field names are the error paths of services.forms (`reason`,
`rows.0.amount`), so the messages of InvalidForm land beside their fields. Values that cannot be
converted (a word in a number field; digits other than ASCII, or a number past what JSON holds exactly, which the
field says beside it) are passed on as typed, so validation names the problem and the page shows the input again.
An earlier answer no longer among a choice field's options (a key person deregistered since he was chosen) is told
beside the field, named when the page gives its title, rather than dropped unexplained.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from app.errors import Listed, Message, bilingual_of
from app.web.form_rules import required_now
from app.web.i18n import gettext

UPLOAD_SUFFIX = "__upload"
ACCEPT_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg,.jpeg", "image/png": ".png"}
MAX_CHECKBOXES = 10
# The largest whole number every JSON reader holds exactly (JavaScript's Number.MAX_SAFE_INTEGER): a number field
# takes none larger in magnitude, nor a longer run of digits than it (int() refuses thousands of them).
MAX_SAFE_INTEGER = 2**53 - 1
INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII only: \d also matches "３" and "١"
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# store(field name, uploaded file) -> the attachment id (or raises; the caller decides)
Store = Callable[[str, FileStorage], str]
# field key -> value (as text) -> the title of a record chosen earlier and no longer among the field's options
Titles = Mapping[str, Mapping[str, str]]


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


def _former_choice(name: str, selected: list[str], options: list[Option], titles: Titles) -> str | None:
    """What the page tells of an earlier answer no longer among the field's options (a person chosen before he was
    deregistered, whom no list offers any more): named by its title in `titles` (field key -> value -> title)
    when the page gives one, never by a bare id; None when every answer is still a choice."""
    offered = {option.value for option in options}
    gone = [value for value in selected if value and value not in offered]
    if not gone:
        return None
    known = titles.get(name.rsplit(".", 1)[-1], {})
    named = [known[value] for value in gone if value in known]
    if not named:
        return gettext("此前的选择已不可选，请重新选择")
    return gettext(Message("此前选择的“{title}”已不可选，请重新选择", title=Listed(named)))


def build_field(name: str, spec: dict[str, Any], required: bool, value: Any, errors: Mapping[str, str],
                filenames: Mapping[str, str], titles: Titles | None = None) -> Field:
    """`titles`: of chosen records no longer among the options, by field key and value (`fields_from_schema`)."""
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
        one.error = one.error or _former_choice(name, selected, one.options, titles or {})
    elif widget == "group":
        one.children = fields_from_schema(spec, value if isinstance(value, dict) else {}, errors, filenames, name,
                                          titles)
    elif widget == "rows":
        rows = value if isinstance(value, list) and value else [{}]
        one.rows = [fields_from_schema(item_spec, row if isinstance(row, dict) else {}, errors, filenames,
                                       f"{name}.{index}", titles) for index, row in enumerate(rows)]
        one.template = fields_from_schema(item_spec, {}, {}, filenames, f"{name}.__i__")
    elif widget == "checkbox":
        one.value = value is True
    else:
        one.value = _text(value)
        problem = number_problem(value, spec) if widget in ("integer", "number") and isinstance(value, str) else None
        one.error = gettext(problem) if problem else one.error
    return one


def fields_from_schema(schema: dict[str, Any], values: Mapping[str, Any] | None = None,
                       errors: Mapping[str, str] | None = None, filenames: Mapping[str, str] | None = None,
                       prefix: str = "", titles: Titles | None = None) -> list[Field]:
    """The fields of a form (or of a group / row when `prefix` is given), filled with `values`. A choice among
    `values` no longer offered is told beside its field, named by `titles` (field key -> value -> title; see
    `former_choices`) when the page gives its title."""
    values, errors, filenames = values or {}, errors or {}, filenames or {}
    required = required_now(schema, values)  # the form's own, and those its applying allOf branches add
    fields = []
    for key, spec in (schema.get("properties") or {}).items():
        name = f"{prefix}.{key}" if prefix else key
        one = build_field(name, spec, key in required, _looked_up(spec, values, key), errors, filenames, titles)
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


def former_choices(schema: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, set[str]]:
    """Field key -> the values of `values` its options no longer hold (in groups and a form's rows too): the
    earlier answers whose titles a page may look up for `fields_from_schema`'s `titles`."""
    found: dict[str, set[str]] = {}
    for key, spec in (schema.get("properties") or {}).items():
        value, widget = values.get(key), widget_of(spec)
        if widget in ("select", "checkboxes"):
            item = spec.get("items") or {} if spec.get("type") == "array" else spec
            offered = {_text(const) for const, _title in choices_of(item) or []}
            chosen = {_text(v) for v in (value if isinstance(value, list) else [value])} - offered - {""}
            if chosen:
                found.setdefault(key, set()).update(chosen)
        nested = [value] if widget == "group" else value if widget == "rows" and isinstance(value, list) else []
        for part in (p for p in nested if isinstance(p, dict)):
            for inner, chosen in former_choices(spec if widget == "group" else spec.get("items") or {}, part).items():
                found.setdefault(inner, set()).update(chosen)
    return found


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

def _integer(raw: str) -> int | None:
    """ASCII digits within the safe range, else None. Counted before int(), which refuses thousands of digits
    (a 500) and reads "３" or "١" (re's \\d matches them)."""
    if not INTEGER.fullmatch(raw) or len(raw.lstrip("+-").lstrip("0")) > len(str(MAX_SAFE_INTEGER)):
        return None
    number = int(raw)
    return number if abs(number) <= MAX_SAFE_INTEGER else None


def _number(raw: str) -> int | float | None:
    """A decimal in ASCII within the safe range (an integer when written as one), else None: float() also reads
    "１２", "nan" and "1e400" (infinity, which no JSON holds)."""
    if not NUMBER.fullmatch(raw):
        return None
    number = float(raw)
    if not math.isfinite(number) or abs(number) > MAX_SAFE_INTEGER:
        return None
    return int(number) if number.is_integer() and "." not in raw else number


def _convert(raw: str, spec: dict[str, Any]) -> Any:
    """The typed value; what the field's type cannot take is passed on as typed (validation refuses it, the page
    shows it again with number_problem's reason)."""
    kind = spec.get("type")
    if kind in ("integer", "number"):
        number = _integer(raw) if kind == "integer" else _number(raw)
        return raw if number is None else number
    if kind == "boolean":
        return raw in ("true", "on", "1")
    return raw


def number_problem(text: str, spec: Mapping[str, Any]) -> Message | None:
    """Why a number field's input (kept as typed: not converted) was not taken, when more can be said than that it
    is no number: past the field's limits or the safe range, or written in digits other than ASCII."""
    integer = spec.get("type") == "integer"
    if (_integer(text) if integer else _number(text)) is not None:
        return None  # one it takes
    if (INTEGER if integer else NUMBER).fullmatch(text):  # well formed: too large (in magnitude) to be taken
        if text.startswith("-"):
            return Message("不能小于 {limit}", limit=max(spec.get("minimum", -MAX_SAFE_INTEGER), -MAX_SAFE_INTEGER))
        return Message("不能大于 {limit}", limit=min(spec.get("maximum", MAX_SAFE_INTEGER), MAX_SAFE_INTEGER))
    if any(not c.isascii() and (c.isdigit() or c.isnumeric()) for c in text):
        return Message("请用半角数字（0-9）填写")
    return None  # a word: validation's own message ("格式不正确，应为整数")


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
