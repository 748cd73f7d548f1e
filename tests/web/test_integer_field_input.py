"""A whole-number field of a form given what no integer column or JSON reader takes (thousands of digits, a value
past 2^53, digits other than ASCII: "²", full-width "１２") is refused beside the field in Chinese, the form shown
again with the input as typed: never a 500."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.datastructures import MultiDict

from app.web.form_rendering import data_from_form, fields_from_schema
from tests.support.web import WebUser

MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer every JSON reader (JavaScript's too) holds exactly
AMOUNT = "amount"  # material_review's submit form: 合同金额（万元）, an integer of at least 0 (no maximum)
SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "count": {"type": "integer", "title": "数量", "maximum": 600},
    "share": {"type": "number", "title": "比例"}}}


def _submit_task(web: Callable[[str], WebUser]) -> tuple[WebUser, str]:
    ent = web("ent-nanning")
    started = ent.post("/cases/start/material_review")
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    return ent, started.headers["Location"]


def _field_error(html: str, name: str) -> str:
    found = re.search(rf'data-field-error="{name}">([^<]*)<', html)
    assert found, html[-3000:]
    return found.group(1)


def test_an_integer_past_the_safe_range_is_refused_by_field_with_the_input_kept(
        review_procedure: str, web: Callable[[str], WebUser]) -> None:
    ent, task = _submit_task(web)
    for typed, message in (("9" * 5000, f"不能大于 {MAX_SAFE_INTEGER}"), ("9" * 17, f"不能大于 {MAX_SAFE_INTEGER}"),
                           ("-" + "9" * 30, "不能小于 0"), ("²", "请用半角数字（0-9）填写"),
                           ("１２", "请用半角数字（0-9）填写")):
        response = ent.post(task, {"title": "合同材料", AMOUNT: typed})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (typed[:20], response.status_code)
        assert _field_error(html, AMOUNT) == message, typed[:20]
        assert f'value="{typed}"' in html, typed[:20]  # shown again as typed
        assert 'value="合同材料"' in html


def test_a_safe_integer_still_goes_through(review_procedure: str, web: Callable[[str], WebUser]) -> None:
    ent, task = _submit_task(web)
    response = ent.post(task, {"title": "合同材料", AMOUNT: str(MAX_SAFE_INTEGER)})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def test_numbers_out_of_range_are_kept_as_typed_and_named_beside_their_fields(app: Flask) -> None:
    """Without a page: the posted form keeps such input as typed (the validation refuses it), and the field built
    from it carries the reason, within the field's own limits."""
    form = MultiDict([("count", "9" * 5000), ("share", "1e400")])
    data = data_from_form(SCHEMA, form, MultiDict(), lambda *_: "")
    assert data == {"count": "9" * 5000, "share": "1e400"}
    fields = {f.name: f for f in fields_from_schema(SCHEMA, data)}
    assert fields["count"].error == "不能大于 600" and fields["count"].value == "9" * 5000
    assert fields["share"].error == f"不能大于 {MAX_SAFE_INTEGER}"
    assert data_from_form(SCHEMA, MultiDict([("count", "007"), ("share", "2.5")]), MultiDict(),
                          lambda *_: "") == {"count": 7, "share": 2.5}
