"""Lint before deploy through the REST API: every analyst rule refuses the files with file and element named, in
Chinese, and stores nothing; diagrams from other tools (the MIWG reference diagrams, a Camunda Modeler export)
are refused saying what does not map, element by element."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.api.test_procedure_api import _deploy, _versions
from tests.engine.bundles import with_boundary_timer
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.procedure_files import VERSIONS, replace, review_files

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "procedures" / "imports"
DIAGRAM = "bpmn/material_review.bpmn"
Files = dict[str, str]


def _lanes(edit: Callable[[dict[str, Any]], dict[str, Any]]) -> Files:
    files = review_files()
    files["bpmn/lanes.json"] = json.dumps(edit(json.loads(files["bpmn/lanes.json"])), ensure_ascii=False)
    return files


def _alone(name: str, folder: Path = IMPORTS) -> Files:
    """The fixture's forms and lanes with another diagram instead of material_review's."""
    files = {k: v for k, v in review_files().items() if k != DIAGRAM}
    files[f"bpmn/{name}"] = (folder / name).read_text("utf-8")
    return files


LONELY = ('<bpmn:scriptTask id="lonely" name="孤立脚本"><bpmn:outgoing>f_lonely</bpmn:outgoing>'
          '<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'
          '<bpmn:sequenceFlow id="f_lonely" sourceRef="lonely" targetRef="end"/></bpmn:process>')
STUCK = ('<bpmn:scriptTask id="stuck" name="中断脚本"><bpmn:incoming>f_stuck</bpmn:incoming>'
         '<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
         '<bpmn:sequenceFlow id="f_stuck" sourceRef="init" targetRef="stuck"/></bpmn:process>')

# rule -> (files, key deployed, file named, element named, words of the problem)
RULES: dict[str, tuple[Callable[[], Files], str, str | None, str | None, tuple[str, ...]]] = {
    "user_task_in_no_lane": (lambda: review_files(edit=replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")),
                             "material_review", DIAGRAM, "review", ("不在任何泳道",)),
    "lane_without_role": (lambda: _lanes(lambda lanes: {**lanes, "市级住建部门": {"scope": "case_city"}}),
                          "material_review", "bpmn/lanes.json", "市级住建部门", ("未知角色",)),
    "lane_not_mapped": (lambda: _lanes(lambda lanes: {"申请企业": lanes["申请企业"]}),
                        "material_review", DIAGRAM, "review", ("市级住建部门", "映射到角色")),
    "gateway_flow_without_condition": (lambda: review_files(edit=replace('default="f_back"', "")),
                                       "material_review", DIAGRAM, "f_back", ("既没有条件也不是默认连线",)),
    "unreachable": (lambda: review_files(edit=replace("</bpmn:process>", LONELY)),
                    "material_review", DIAGRAM, "lonely", ("无法到达",)),
    "dead_end": (lambda: review_files(edit=replace("</bpmn:process>", STUCK)),
                 "material_review", DIAGRAM, "stuck", ("没有出口连线",)),
    "deadline": (lambda: review_files(edit=replace('value="3 working days"', 'value="三天"')),
                 "material_review", DIAGRAM, "review", ("dueIn", "三天")),
    "timer_unquoted": (lambda: review_files(edit=with_boundary_timer("timeDuration", "P3D")),
                       "material_review", DIAGRAM, "review_overdue", ("P3D",)),
    "timer_not_evaluating": (lambda: review_files(edit=with_boundary_timer("timeDate", "end_of_day(no_such_day)")),
                             "material_review", DIAGRAM, "review_overdue", ("no_such_day",)),
    "condition_typo": (lambda: review_files(edit=replace('decision == "approve"', 'lead_decison == "approve"')),
                       "material_review", DIAGRAM, "f_ok", ("lead_decison", "未知的名称")),
    "field_filled_only_later": (lambda: review_files(edit=replace("round_no = 0", "round_no = 0 if decision else 1")),
                                "material_review", DIAGRAM, "init", ("decision", "在此之前没有任何表单填写")),
    "script_reads_unknown": (lambda: review_files(edit=replace('label = "第%d轮" % round_no',
                                                               'label = "第%d轮" % rund_no')),
                             "material_review", DIAGRAM, "count_round", ("rund_no",)),
    "parameter_reads_unknown": (lambda: review_files(edit=replace('value="title"', 'value="titel"')),
                                "material_review", DIAGRAM, "register", ("titel",)),
    "no_startable_process": (lambda: _alone("plain_interchange.bpmn", VERSIONS), "plain_process",
                             "bpmn/plain_interchange.bpmn", "plain_process", ("casePrefix", "isExecutable")),
    "data_store": (lambda: _alone("data_store.bpmn", VERSIONS), "data_store_review", "bpmn/data_store.bpmn",
                   "employee_store", ("数据存储", "Employee Details")),
    "miwg_reference_a_1_0": (lambda: _alone("miwg_a_1_0.bpmn"), "WFP-6-", "bpmn/miwg_a_1_0.bpmn", "WFP-6-",
                             ("casePrefix", "isExecutable")),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_lint_rule_refuses_naming_file_and_element_in_chinese_and_stores_nothing(
        rule: str, as_user: Any, app: Flask) -> None:
    make, key, file, element, words = RULES[rule]
    analyst = as_user("analyst")
    dry = _deploy(analyst, key, make(), dry_run=True)
    assert dry.status_code == 200, dry.json
    refused = _deploy(analyst, key, make())
    assert refused.status_code == 422, refused.json
    problems = refused.json["details"]["problems"]
    assert dry.json["problems"] == problems
    assert any(p["file"] == file and p["element"] == element and all(w in p["problem"] for w in words)
               for p in problems), problems
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["problem"]) for p in problems), problems
    assert all(p["file"] for p in problems), problems
    assert _versions(app, key) == 0


def test_a_field_filled_before_on_the_loop_back_is_known(as_user: Any) -> None:
    """The review's decision is read after the review on a later round (the loop back to submit): allowed."""
    files = review_files(edit=replace('label = "第%d轮" % round_no', 'label = "第%d轮" % round_no if title else ""'))
    assert _deploy(as_user("analyst"), "material_review", files, dry_run=True).json == {"problems": []}


def test_the_miwg_reference_diagram_lists_every_untyped_task(as_user: Any) -> None:
    files = _alone("miwg_a_1_0.bpmn")
    text = files["bpmn/miwg_a_1_0.bpmn"].replace('isExecutable="false"', 'isExecutable="true"')
    files["bpmn/miwg_a_1_0.bpmn"] = text.replace(
        '<semantic:startEvent', '<semantic:extensionElements><spiffworkflow:properties xmlns:spiffworkflow='
        '"http://spiffworkflow.org/bpmn/schema/1.0/core"><spiffworkflow:property name="casePrefix" value="MW"/>'
        '</spiffworkflow:properties></semantic:extensionElements><semantic:startEvent', 1)
    problems = _deploy(as_user("analyst"), "WFP-6-", files, dry_run=True).json["problems"]
    untyped = {p["element"] for p in problems if "无类型任务" in p["problem"]}
    assert untyped == {"_6-74", "_6-127t", "_6-180"}, problems


def test_a_camunda_modeler_export_is_refused_element_by_element(as_user: Any, app: Flask) -> None:
    refused = _deploy(as_user("analyst"), "camunda_review", _alone("camunda_export.bpmn"))
    assert refused.status_code == 422
    problems = refused.json["details"]["problems"]
    assert all(p["file"] == "bpmn/camunda_export.bpmn" for p in problems), problems
    foreign = {p["element"]: p["problem"] for p in problems if "Camunda 扩展" in p["problem"]}
    assert set(foreign) == {"camunda_review", "StartEvent_1", "Task_review", "Task_register"}, problems
    assert "camunda:formKey" in foreign["Task_review"] and "camunda:candidateGroups" in foreign["Task_review"]
    assert "camunda:taskListener" in foreign["Task_review"] and "camunda:topic" in foreign["Task_register"]
    assert all("/api/v1/procedures/conversions" in text for text in foreign.values())
    assert any(p["element"] == "camunda_review" and "casePrefix" in p["problem"] for p in problems), problems
    assert _versions(app, "camunda_review") == 0
