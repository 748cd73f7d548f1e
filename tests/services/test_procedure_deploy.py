"""Deploying procedures: validation refuses broken bundles whole; versions only on change; old cases stay."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.errors import DeployError
from app.extensions import db
from app.models import Procedure, ProcedureVersion
from app.services.procedures.versions import deploy_procedures, list_versions
from tests.engine.bundles import with_boundary_timer
from tests.support.api import ApiUser
from tests.support.procedures import copy_fixture


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0


def _break(tmp: Path, edit: Callable[[Path, Path], None]) -> tuple[Path, Path]:
    bpmn, forms = copy_fixture(tmp)
    edit(bpmn, forms)
    return bpmn, forms


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new), "utf-8")


BROKEN = {
    "bad_xml": (lambda b, f: _replace(b / "material_review.bpmn", "</bpmn:process>", "</bpmn:proc>"),
                "material_review.bpmn", None, "XML"),
    "unknown_form": (lambda b, f: _replace(b / "material_review.bpmn", 'value="review_decision"',
                                           'value="no_such_form"'),
                     "material_review.bpmn", "review", "forms/no_such_form.json"),
    "unknown_handler": (lambda b, f: _replace(b / "material_review.bpmn", 'id="test.register_outcome"',
                                              'id="test.no_such_handler"'),
                        "material_review.bpmn", "register", "test.no_such_handler"),
    "unmapped_lane": (lambda b, f: _replace(b / "lanes.json", '"市级住建部门"', '"市级部门"'),
                      "material_review.bpmn", "review", "市级住建部门"),
    "script_syntax": (lambda b, f: _replace(b / "material_review.bpmn", "round_no = 0", "round_no = = 0"),
                      "material_review.bpmn", "init", "无法编译"),
    "hostile_import": (lambda b, f: _replace(b / "material_review.bpmn", "round_no = 0", "import os\nround_no = 0"),
                       "material_review.bpmn", "init", "import"),
    "dunder_escape": (lambda b, f: _replace(b / "material_review.bpmn", "round_no = 0",
                                            "round_no = ().__class__.__base__.__subclasses__()"),
                      "material_review.bpmn", "init", "__class__"),
    "while_loop": (lambda b, f: _replace(b / "material_review.bpmn", "round_no = 0",
                                         "round_no = 0\nwhile True:\n    round_no = 1"),
                   "material_review.bpmn", "init", "while"),
    "bad_condition": (lambda b, f: _replace(b / "material_review.bpmn", 'decision == "approve"',
                                            'decision = "approve"'),
                      "material_review.bpmn", "f_ok", "条件无法编译"),  # the flow holding it, in Chinese
    "bad_due_in": (lambda b, f: _replace(b / "material_review.bpmn", 'value="3 working days"',
                                         'value="three days"'),
                   "material_review.bpmn", "review", "dueIn"),
    "bad_clock_property": (lambda b, f: _replace(b / "material_review.bpmn",
                                                 '<spiffworkflow:property name="startRoles" value="enterprise"/>',
                                                 '<spiffworkflow:property name="startRoles" value="enterprise"/>'
                                                 '<spiffworkflow:property name="committedLimit" value="soon"/>'),
                           "material_review.bpmn", "material_review", "committedLimit"),
    "reserved_field_name": (lambda b, f: _replace(f / "review_submit.json", '"amount"', '"_getattr_"'),
                            "forms/review_submit.json", "_getattr_", "字段名不可用"),
    "external_entity": (lambda b, f: _replace(b / "material_review.bpmn", "<bpmn:definitions",
                                              '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><bpmn:definitions'),
                        "material_review.bpmn", None, "DTD"),
    "naive_timer": (lambda b, f: (b / "material_review.bpmn").write_text(with_boundary_timer(
        "timeDate", '"2026-12-31T17:00:00"')((b / "material_review.bpmn").read_text("utf-8")), "utf-8"),
                    "material_review.bpmn", "review_overdue", "缺少时区偏移"),
    "week_date_timer": (lambda b, f: (b / "material_review.bpmn").write_text(with_boundary_timer(
        "timeDate", 'add_working_days(now(), 3)[:4] + "-W50-1"')((b / "material_review.bpmn").read_text("utf-8")),
        "utf-8"), "material_review.bpmn", "review_overdue", "周日期"),
    "broken_form_schema": (lambda b, f: (f / "review_submit.json").write_text('{"type": "objekt"}', "utf-8"),
                           "forms/review_submit.json", None, "JSON Schema"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_bundle_is_refused_naming_file_element_and_problem(case: str, app: Flask, tmp_path: Path) -> None:
    edit, file, element, words = BROKEN[case]
    bpmn, forms = _break(tmp_path, edit)
    with app.app_context():
        before = _versions()
        with pytest.raises(DeployError) as refused:
            with unit_of_work():
                deploy_procedures(bpmn, forms)
        problems = refused.value.problems
        assert any(p["file"] == file and (element is None or p["element"] == element) and words in p["problem"]
                   for p in problems), problems
        assert _versions() == before
        assert db.session.scalar(select(Procedure).where(Procedure.key == "material_review")) is None


def test_the_deploy_cli_refuses_and_names_the_problem(app: Flask, tmp_path: Path) -> None:
    bpmn, forms = _break(tmp_path, BROKEN["unknown_handler"][0])
    result = app.test_cli_runner().invoke(args=["procedures", "deploy", "--bpmn-dir", str(bpmn),
                                                "--forms-dir", str(forms)])
    assert result.exit_code == 1
    assert "material_review.bpmn #register" in result.output and "test.no_such_handler" in result.output


def test_deploying_the_same_content_twice_stores_one_version(app: Flask, review_procedure: str) -> None:
    from tests.support.procedures import BPMN_DIR, FORMS_DIR

    with app.app_context():
        with unit_of_work():
            outcome = deploy_procedures(BPMN_DIR, FORMS_DIR)
        assert [(o.key, o.version, o.created) for o in outcome] == [("material_review", 1, False)]
        assert [v.version for v in list_versions("material_review")] == [1]


def test_a_new_version_serves_new_cases_while_old_cases_finish_on_theirs(
        app: Flask, review_procedure: str, as_user: Callable[[str], ApiUser], tmp_path: Path) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    old = ent.start(review_procedure).json
    bpmn, forms = copy_fixture(tmp_path)
    _replace(bpmn / "material_review.bpmn", 'name="审核材料"', 'name="复核材料"')
    with app.app_context(), unit_of_work():
        outcome = deploy_procedures(bpmn, forms)
    assert [(o.version, o.created) for o in outcome] == [(2, True)]
    new = ent.start(review_procedure).json
    assert (old["procedure_version"], new["procedure_version"]) == (1, 2)
    for case, title in ((old, "审核材料"), (new, "复核材料")):
        ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 1})
        task = city.task_for(case["id"])
        assert task["title"] == title
        city.claim(task["id"])
        assert city.complete(task["id"], {"decision": "approve"}).status_code == 200
        assert ent.case(case["id"])["status"] == "completed"
    listed = {p["key"]: p["version"] for p in ent.get("/api/v1/procedures").json}
    assert listed["material_review"] == 2


def test_procedures_cli_lists_versions(app: Flask, review_procedure: str) -> None:
    result = app.test_cli_runner().invoke(args=["procedures", "list"])
    assert result.exit_code == 0
    assert "material_review\t材料审核（测试）\tv1" in result.output
    assert "personnel_unlock" in result.output


