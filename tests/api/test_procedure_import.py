"""Diagrams from Camunda Modeler (Camunda 7 and 8) and SpiffArena: POST /api/v1/procedures/conversions converts
what maps to our properties, lists what does not by element, checks the result as a deploy's dry run and stores
nothing; the converted files, completed by the analyst, deploy and run."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Procedure
from tests.api.test_procedure_api import BASE, OTHER_ROLES, _deploy
from tests.support.procedure_files import DECISIONS, review_files

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "procedures" / "imports"
CONVERT = f"{BASE}/conversions"


def _files(name: str, **extra: str) -> dict[str, str]:
    files = {k: v for k, v in review_files().items() if k != "bpmn/material_review.bpmn"}
    return {**files, f"bpmn/{name}": (IMPORTS / name).read_text("utf-8"), **extra}


def _by_element(notes: list[dict[str, Any]]) -> dict[str | None, str]:
    joined: dict[str | None, str] = {}
    for note in notes:
        joined[note["element"]] = joined.get(note["element"], "") + " | " + note["problem"]
    return joined


def _procedures(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Procedure)) or 0


def test_a_camunda_7_export_is_converted_listed_by_element_completed_and_run(as_user: Any, app: Flask) -> None:
    analyst, before = as_user("analyst"), _procedures(app)
    answer = analyst.post(CONVERT, {"files": _files("camunda_export.bpmn"), "case_prefix": "CR"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["source"] == "camunda"
    converted, unmapped = _by_element(body["converted"]), _by_element(body["unmapped"])
    assert "formKey review_decision" in converted["Task_review"] and "dueIn" in converted["Task_review"]
    assert "startForm review_submit" in converted["StartEvent_1"]
    assert "decision == \"approve\"" in converted["Flow_yes"] and "casePrefix → CR" in converted["camunda_review"]
    for element, words in (("Task_review", "camunda:candidateGroups"), ("Task_review", "camunda:taskListener"),
                           ("Task_review", "camunda:dueDate"), ("Task_register", "camunda:topic"),
                           ("StartEvent_1", "camunda:initiator"), ("camunda_review", "camunda:historyTimeToLive")):
        assert words in unmapped[element], (element, words, unmapped)
    diagram = body["files"]["bpmn/camunda_export.bpmn"]
    assert "camunda:" not in diagram and "${" not in diagram
    assert [(p["file"], p["element"]) for p in body["problems"]] == [("bpmn/camunda_export.bpmn", "Task_register")]
    assert "处理程序" in body["problems"][0]["problem"] and body["procedures"] == []
    assert _procedures(app) == before

    # The analyst picks a handler for the external task and who may start it; then it deploys and runs.
    diagram = diagram.replace(
        '<bpmn:serviceTask id="Task_register" name="登记结果">',
        '<bpmn:serviceTask id="Task_register" name="登记结果"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="test.register_outcome"><spiffworkflow:parameters>'
        '<spiffworkflow:parameter id="title" type="str" value="title"/></spiffworkflow:parameters>'
        '</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>').replace(
        '<spiffworkflow:property name="casePrefix" value="CR"/>',
        '<spiffworkflow:property name="casePrefix" value="CR"/>'
        '<spiffworkflow:property name="startRoles" value="enterprise"/>')
    files = {**body["files"], "bpmn/camunda_export.bpmn": diagram}
    assert analyst.post(CONVERT, {"files": files}).json["procedures"] == ["camunda_review"]
    deployed = _deploy(analyst, "camunda_review", files, note="自 Camunda Modeler 导入")
    assert deployed.status_code == 201, deployed.json
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case = ent.start("camunda_review", {"title": "导入的审核", "amount": 3})
    assert case.status_code == 201, case.json
    task = city.task_for(case.json["id"])
    assert task is not None and city.claim(task["id"]).status_code == 200
    assert city.complete(task["id"], {"decision": "approve"}).status_code == 200
    done = ent.case(case.json["id"])
    assert done["status"] == "completed" and done["title"] == "已登记：导入的审核"


def test_a_camunda_8_export_with_a_decision_table_is_converted(as_user: Any) -> None:
    table = (DECISIONS / "review_level.dmn").read_text("utf-8")
    body = as_user("admin").post(CONVERT, {"files": _files("zeebe_export.bpmn", **{"bpmn/review_level.dmn": table}),
                                           "case_prefix": "ZB"}).json
    assert body["source"] == "zeebe"
    converted, unmapped = _by_element(body["converted"]), _by_element(body["unmapped"])
    assert "formKey review_submit" in converted["z_submit"] and "formKey review_decision" in converted["z_review"]
    assert "calledDecisionId" in converted["z_classify"] and 'review_level == "full"' in converted["z_full"]
    assert "zeebe:assignmentDefinition" in unmapped["z_review"] and "zeebe:taskSchedule" in unmapped["z_review"]
    assert "zeebe:taskDefinition" in unmapped["z_notify"] and "zeebe:ioMapping" in unmapped["z_notify"]
    assert "resultVariable" in unmapped["z_classify"]
    assert [p["element"] for p in body["problems"]] == ["z_notify"]


def test_a_spiffarena_model_is_converted(as_user: Any) -> None:
    body = as_user("analyst").post(CONVERT, {"files": _files("spiffarena_export.bpmn"), "case_prefix": "SA"}).json
    assert body["source"] == "spiffarena"
    converted, unmapped = _by_element(body["converted"]), _by_element(body["unmapped"])
    assert "formKey review_submit" in converted["s_submit"] and "formKey review_decision" in converted["s_review"]
    assert "unitTests" in unmapped["arena_review"]
    assert "instructionsForEndUser" in unmapped["s_submit"] and "formUiSchemaFilename" in unmapped["s_submit"]
    assert "unitTests" not in body["files"]["bpmn/spiffarena_export.bpmn"]
    assert {(p["element"], "http/PostRequestV2" in p["problem"]) for p in body["problems"]} == {("s_post", True)}


def test_a_reference_diagram_without_execution_details_lists_what_is_missing(as_user: Any) -> None:
    body = as_user("analyst").post(CONVERT, {"files": _files("miwg_a_1_0.bpmn")}).json
    assert body["source"] == "bpmn"
    unmapped = _by_element(body["unmapped"])
    assert {"_6-74", "_6-127t", "_6-180"} <= set(unmapped) and "无类型任务" in unmapped["_6-74"]
    assert "casePrefix" in unmapped["WFP-6-"]
    assert "isExecutable" in _by_element(body["converted"])["WFP-6-"]


def test_a_hostile_file_is_refused_naming_it_and_nothing_is_stored(as_user: Any, app: Flask) -> None:
    before = _procedures(app)
    xxe = (IMPORTS / "camunda_export.bpmn").read_text("utf-8").replace(
        "<bpmn:definitions", '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions', 1)
    refused = as_user("analyst").post(CONVERT, {"files": _files("camunda_export.bpmn", **{
        "bpmn/camunda_export.bpmn": xxe})})
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused"
    assert [(p["file"], p["element"]) for p in refused.json["details"]["problems"]] == [
        ("bpmn/camunda_export.bpmn", None)]
    bad_name = as_user("analyst").post(CONVERT, {"files": {"../x.bpmn": "<x/>"}})
    assert bad_name.status_code == 422 and bad_name.json["details"]["problems"][0]["file"] == "../x.bpmn"
    bad_prefix = as_user("analyst").post(CONVERT, {"files": _files("miwg_a_1_0.bpmn"), "case_prefix": "abc"})
    assert bad_prefix.status_code == 422
    assert _procedures(app) == before


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused(username: str, as_user: Any) -> None:
    refused = as_user(username).post(CONVERT, {"files": _files("miwg_a_1_0.bpmn")})
    assert refused.status_code == 403 and refused.json["code"] == "procedures_not_allowed"


def test_the_openapi_document_describes_the_conversion(client: Any) -> None:
    assert "post" in client.get("/api/v1/openapi.json").json["paths"]["/api/v1/procedures/conversions"]


CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", ["camunda_export.bpmn", "zeebe_export.bpmn", "spiffarena_export.bpmn"])
def test_the_import_report_carries_its_english(name: str, as_user: Any) -> None:
    analyst = as_user("analyst")
    body = analyst.post(CONVERT, {"files": _files(name), "case_prefix": "IM"}).json
    notes = body["converted"] + body["unmapped"] + body["problems"]
    assert notes
    for note in notes:  # the Chinese stays in `problem`, its English beside it
        assert CHINESE.search(note["problem"]) or "→" in note["problem"], note
        assert note["problem_en"] and not CHINESE.search(note["problem_en"]), note
    if name == "camunda_export.bpmn":
        unmapped = {n["element"]: n["problem_en"] for n in body["unmapped"] if "candidateGroups" in n["problem"]}
        assert unmapped["Task_review"] == (
            'camunda:candidateGroups="city" not converted: Candidate groups: who works on a step is decided by the '
            "role and scope the lane maps to in bpmn/lanes.json")


def test_a_diagram_deployed_unconverted_is_refused_in_both_languages(as_user: Any) -> None:
    refused = _deploy(as_user("analyst"), "camunda_review", _files("camunda_export.bpmn"))
    assert refused.status_code == 422
    problems = {p["element"]: p for p in refused.json["details"]["problems"]}
    assert problems["Task_register"]["problem"].startswith("含本系统不读取的 Camunda 扩展 camunda:type, camunda:topic")
    assert problems["Task_register"]["problem_en"] == (
        "Carries Camunda extensions we do not read (camunda:type, camunda:topic): convert it first with the import "
        "(POST /api/v1/procedures/conversions) and complete what is not converted")
