"""A form that is not valid JSON or not a valid JSON Schema is named with where and why, in Chinese: an invalid
type used to give jsonschema's English dump of the whole meta-schema."""
from __future__ import annotations

import json

import pytest

from app.engine import build_bundles
from app.errors import DeployError
from tests.engine.bundles import FUNCTIONS, bundle_input


def _refused(forms: dict[str, str]) -> list[dict[str, str | None]]:
    inp = bundle_input(script_functions=FUNCTIONS)
    inp.forms.update(forms)
    with pytest.raises(DeployError) as refused:
        build_bundles(inp)
    return list(refused.value.problems)


def test_an_invalid_type_is_named_by_its_place_and_value() -> None:
    inp = bundle_input()
    form = json.loads(inp.forms["review_submit.json"])
    form["properties"]["amount"]["type"] = "strin"
    problems = _refused({"review_submit.json": json.dumps(form, ensure_ascii=False)})
    assert [(p["file"], p["element"]) for p in problems] == [("forms/review_submit.json", "properties.amount.type")]
    assert problems[0]["problem"] == '表单不是有效的 JSON Schema：properties.amount.type 处的值 "strin" 不符合规范'


def test_a_form_that_is_not_json_says_where_it_breaks() -> None:
    problems = _refused({"review_submit.json": '{"title": "提交", "type": "object",\n "properties": {,}}'})
    assert problems[0]["file"] == "forms/review_submit.json"
    assert str(problems[0]["problem"]).startswith("表单不是有效的 JSON：第 2 行第 ")
