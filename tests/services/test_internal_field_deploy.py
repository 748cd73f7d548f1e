"""Where a form may mark a field internal to the authorities ("x-internal": true), checked at deploy (the API's dry
run and deploy, the server's folders): never in a form of the applicant's own steps, never below a form's own
fields, never on an attachment field, and the same on every form naming the field; the shipped forms mark the
authorities' instructions and remarks to each other, never a reason the applicant must be told."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.errors import DeployError
from tests.api.test_procedure_api import _deploy, _versions
from tests.support.procedure_files import ROOT, deploy_folder, shipped_files

B_TO_A, C_TO_A = "data_upgrade_b_to_a", "data_upgrade_c_to_a"
Edit = Callable[[dict[str, Any]], None]


def _edited(key: str, form: str, edit: Edit) -> dict[str, str]:
    """The shipped procedure's files with one form's schema passed through `edit`."""
    files = shipped_files(key)
    schema = json.loads(files[f"forms/{form}.json"])
    edit(schema)
    files[f"forms/{form}.json"] = json.dumps(schema, ensure_ascii=False, indent=2)
    return files


def _mark(*path: str, value: Any = True) -> Edit:
    def edit(schema: dict[str, Any]) -> None:
        node = schema
        for part in path:
            node = node[part]
        node["x-internal"] = value
    return edit


def _problems(as_user: Any, key: str, files: dict[str, str]) -> list[tuple[str, str, str]]:
    answer = _deploy(as_user("analyst"), key, files, dry_run=True)
    assert answer.status_code == 200, answer.json
    return [(p["file"], p["element"], p["problem"]) for p in answer.json["problems"]]


def test_a_field_of_the_applicants_start_form_cannot_be_internal(as_user: Any, app: Flask) -> None:
    files = _edited(B_TO_A, "upgrade_b_start", _mark("properties", "statement"))
    [(file, element, problem)] = _problems(as_user, B_TO_A, files)
    assert (file, element) == ("forms/upgrade_b_start.json", "statement")
    assert problem == ("字段“statement”标记为仅机关内部可见，但本表单用于申请人一方的步骤“发起申请”：申请人自己填写的"
                       "内容不能对他隐藏")
    refused = _deploy(as_user("analyst"), B_TO_A, files)  # a real deploy is refused, nothing stored
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused"
    assert _versions(app, B_TO_A) == 1


def test_a_field_of_an_applicants_task_cannot_be_internal(as_user: Any, app: Flask) -> None:
    files = _edited("personnel_unlock", "unlock_request", _mark("properties", "reason"))
    [(file, element, problem)] = _problems(as_user, "personnel_unlock", files)
    assert (file, element) == ("forms/unlock_request.json", "reason") and "申请人一方的步骤" in problem


@pytest.mark.parametrize("form, path, where, words", [
    ("upgrade_b_city_check", ("properties", "findings", "properties", "site", "properties", "note"),
     "findings.properties.site.properties.note", "只能标记表单的顶层字段"),
    ("upgrade_b_verify_mode", (), "表单", "只能标记表单的顶层字段"),
    ("upgrade_b_city_check", ("properties", "record_files"), "record_files", "附件字段“record_files”"),
])
def test_a_mark_below_the_forms_fields_or_on_a_file_is_refused(
        form: str, path: tuple[str, ...], where: str, words: str, as_user: Any, app: Flask) -> None:
    problems = _problems(as_user, B_TO_A, _edited(B_TO_A, form, _mark(*path)))
    assert [(file, element) for file, element, problem in problems if words in problem] == [
        (f"forms/{form}.json", where)], problems


def test_a_mark_must_be_true_or_false(as_user: Any, app: Flask) -> None:
    files = _edited(B_TO_A, "upgrade_b_confirm", _mark("properties", "comment", value="yes"))
    assert _problems(as_user, B_TO_A, files) == [
        ("forms/upgrade_b_confirm.json", "comment", "“x-internal”（仅机关内部可见）的值须为 true 或 false")]


def test_a_name_marked_in_one_form_is_marked_in_every_form_naming_it(as_user: Any, app: Flask) -> None:
    """The case data holds a field by its name: the B → A confirmation's `comment` marked internal would hide the
    city's review `comment` too."""
    files = _edited(C_TO_A, "upgrade_c_city_review", _mark("properties", "comment"))
    [(file, element, problem)] = _problems(as_user, C_TO_A, files)
    assert (file, element) == ("forms/upgrade_c_confirm.json", "comment")
    assert "在表单 upgrade_c_city_review 中标记为仅机关内部可见，在表单 upgrade_c_confirm 中没有标记" in problem


def test_the_servers_folders_are_refused_the_same_way(app: Flask, tmp_path: Path) -> None:
    bpmn, forms = tmp_path / "bpmn", tmp_path / "forms"
    bpmn.mkdir(), forms.mkdir()
    for name in (f"{B_TO_A}.bpmn", "lanes.json"):
        (bpmn / name).write_text((ROOT / "bpmn" / name).read_text("utf-8"), "utf-8")
    for path, text in _edited(B_TO_A, "upgrade_b_start", _mark("properties", "statement")).items():
        if path.startswith("forms/"):
            (forms / path[len("forms/"):]).write_text(text, "utf-8")
    with pytest.raises(DeployError) as refused:
        deploy_folder(app, bpmn, forms)
    assert [(p["file"], p["element"]) for p in refused.value.problems] == [("forms/upgrade_b_start.json", "statement")]


def test_the_shipped_forms_mark_the_authorities_remarks_to_each_other_only() -> None:
    marked = {f"{path.stem}.{key}" for path in sorted((ROOT / "forms").glob("*.json"))
              for key, spec in json.loads(path.read_text("utf-8"))["properties"].items() if spec.get("x-internal")}
    assert marked == {"upgrade_b_verify_mode.delegation_note", "upgrade_c_confirm.return_note",
                      "upgrade_c_dispatch.dispatch_note"}
