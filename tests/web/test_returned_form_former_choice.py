"""在建项目 returned to the construction unit for correction (退回修改): a key person it chose who has been deregistered
(人员注销) since is no longer among the form's choices. The form tells the unit so beside the person field, naming him
(ID number masked) and asking for another choice, instead of the choice vanishing unexplained."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from app.web.form_rendering import fields_from_schema
from tests.procedures.steps import act_ok, task_of
from tests.support.web import WebUser
from tests.web.test_deregistered_key_person import LIANG_HAI, _deregister, _person, _submitted_with_liang_hai

PERSON = "key_personnel.0.person_id"  # 梁海, the project manager
CHIEF = "key_personnel.1.person_id"  # 韦明, the chief supervisor, still in service
MASKED = f"4501**********{LIANG_HAI[-4:]}"


def _returned_form(app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> tuple[WebUser, str]:
    case_id = _submitted_with_liang_hai(app, as_user)
    act_ok(as_user("city-nanning"), case_id, {"decision": "return", "comment": "请补充项目环节"})
    _deregister(app, _person(app, "梁海"))
    task = task_of(as_user("owner-nanning"), case_id)
    assert task is not None and task["bpmn_id"] == "complete_project", task
    return web("owner-nanning"), f"/tasks/{task['id']}"


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert found, name
    return found.group(1)


def _field_error(html: str, name: str) -> str | None:
    found = re.search(rf'data-field-error="{re.escape(name)}">([^<]*)<', html)
    return found.group(1) if found else None


def test_the_returned_form_names_the_deregistered_key_person_and_asks_for_another(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    owner, path = _returned_form(app, as_user, web)
    html = owner.html(path)
    assert "梁海" not in _select(html, PERSON)  # no longer a choice
    assert _field_error(html, PERSON) == f"此前选择的“梁海（{MASKED}，已注销）”已不可选，请重新选择"
    assert LIANG_HAI not in html  # never the full ID number
    assert re.search(r'<option value="\d+" selected>韦明', _select(html, CHIEF))  # a choice still open stays
    assert _field_error(html, CHIEF) is None
    owner.get("/lang/en")
    assert _field_error(owner.html(path), PERSON) == \
        f"The earlier choice “梁海 ({MASKED}, deregistered)” can no longer be chosen; choose again."


def test_any_choice_no_longer_offered_is_told_beside_its_field(app: Flask) -> None:
    """Generic: a field whose earlier value is not among its options says so, with the record's title when the page
    gives one, else without naming it (never a bare id)."""
    schema = {"type": "object", "properties": {
        "kind": {"type": "string", "title": "类型", "oneOf": [{"const": "a", "title": "甲"}]},
        "people": {"type": "array", "title": "人员", "items": {"type": "integer", "x-choices": "p",
                                                            "oneOf": [{"const": 1, "title": "陆伟"}]}}}}
    fields = {f.name: f for f in fields_from_schema(schema, {"kind": "b", "people": [1, 7]},
                                                    titles={"people": {"7": "覃丽（已注销）"}})}
    assert fields["kind"].error == "此前的选择已不可选，请重新选择"
    assert fields["people"].error == "此前选择的“覃丽（已注销）”已不可选，请重新选择"
    assert [(o.title, o.selected) for o in fields["people"].options] == [("陆伟", True)]
    assert fields_from_schema(schema, {"kind": "a", "people": [1]})[0].error is None
