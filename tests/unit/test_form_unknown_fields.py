"""What a form defines, for refusing the fields it does not (services.procedures.forms.validate): its
properties at every depth, as JSON Schema's "additionalProperties": false has it; a form's object that declares
"additionalProperties" (true or a schema) or "patternProperties" accepts those members as JSON Schema does."""
from __future__ import annotations

from typing import Any

import pytest

from app.errors import InvalidForm
from app.services.procedures.forms import MAX_UNKNOWN_REPORTED, validate

UNKNOWN = "表单中没有该字段"


def _form(**row: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1},
        "rows": {"type": "array", "maxItems": 5, "items": {"type": "object", "properties": {
            "amount": {"type": "integer"}, **row.pop("extra_properties", {})}, **row}},
    }}


def _errors(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidForm) as refused:
        validate(schema, data)
    return {key: str(message) for key, message in refused.value.field_errors.items()}


def test_members_the_form_does_not_define_are_refused_at_their_path() -> None:
    data = {"name": "甲", "nam": "typo", "rows": [{"amount": 1}, {"amount": 2, "note": "x"}]}
    assert _errors(_form(), data) == {"nam": UNKNOWN, "rows.1.note": UNKNOWN}
    assert validate(_form(), {"name": " 甲 ", "rows": [{"amount": 1}]}) == {"name": "甲", "rows": [{"amount": 1}]}


def test_a_declared_additional_properties_or_pattern_is_the_forms_own() -> None:
    assert validate(_form(additionalProperties=True), {"name": "甲", "rows": [{"amount": 1, "note": "x"}]}) == {
        "name": "甲", "rows": [{"amount": 1, "note": "x"}]}
    typed = _form(additionalProperties={"type": "string"})
    assert _errors(typed, {"name": "甲", "rows": [{"note": 3}]}) == {"rows.0.note": "格式不正确，应为文本"}
    patterned = _form(patternProperties={"^x_": {"type": "string"}})
    assert validate(patterned, {"name": "甲", "rows": [{"x_note": "x"}]})["rows"] == [{"x_note": "x"}]
    assert _errors(patterned, {"name": "甲", "rows": [{"note": "x"}]}) == {"rows.0.note": UNKNOWN}
    closed = _form(additionalProperties=False)  # said outright: the same message, not the validator's own
    assert _errors(closed, {"name": "甲", "rows": [{"note": "x"}]}) == {"rows.0.note": UNKNOWN}


def test_unknown_fields_are_told_with_the_forms_other_errors_and_bounded() -> None:
    assert _errors(_form(), {"name": "", "extra": 1}) == {"extra": UNKNOWN, "name": "此项为必填项"}
    many = {"name": "甲", **{f"k{i}": i for i in range(MAX_UNKNOWN_REPORTED * 3)}}
    assert len(_errors(_form(), many)) == MAX_UNKNOWN_REPORTED
    assert _errors(_form(), {"name": "甲", "typename": "x"}) == {"typename": "不能使用保留字段名“typename”"}
