"""Names a form fills are known where a path leads from its task: through sub-processes (in and out), not along a
boundary event of the task itself (it fires before the form is filled), anywhere in an event sub-process."""
from __future__ import annotations

import json

import pytest

from app.engine import BundleInput, build_bundles
from app.errors import DeployError
from tests.engine.bundles import FIXTURE, FUNCTIONS, ROLES

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_order" targetNamespace="http://t">
  <bpmn:process id="ordered" name="顺序" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="casePrefix" value="OR"/>
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="申请企业">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>submit</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>sub</bpmn:flowNodeRef><bpmn:flowNodeRef>after</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>late</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>late_end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
"""
FORM = '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="formKey" value="{}"/>' \
       '</spiffworkflow:properties></bpmn:extensionElements>'


def _diagram(after_script: str, late_script: str = "note = 1") -> str:
    return HEAD + f"""
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="submit" name="提交">{FORM.format("review_submit")}</bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="submit" cancelActivity="true">
      <bpmn:timerEventDefinition id="late_t"><bpmn:timeDuration>"P30D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="late_note" name="超时"><bpmn:script>{late_script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="late_end"/>
    <bpmn:subProcess id="sub" name="审核">
      <bpmn:startEvent id="sub_start"/>
      <bpmn:userTask id="review" name="审核">{FORM.format("review_decision")}</bpmn:userTask>
      <bpmn:endEvent id="sub_end"/>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="review"/>
      <bpmn:sequenceFlow id="s2" sourceRef="review" targetRef="sub_end"/>
    </bpmn:subProcess>
    <bpmn:scriptTask id="after" name="之后"><bpmn:script>{after_script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="submit"/>
    <bpmn:sequenceFlow id="f2" sourceRef="submit" targetRef="sub"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="after"/>
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end"/>
    <bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="late_note"/>
    <bpmn:sequenceFlow id="f6" sourceRef="late_note" targetRef="late_end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _build(text: str) -> list[dict[str, str | None]]:
    forms = {p.name: p.read_text("utf-8") for p in sorted((FIXTURE / "forms").glob("*.json"))}
    lanes = json.loads((FIXTURE / "bpmn" / "lanes.json").read_text("utf-8"))
    inp = BundleInput(bpmn={"ordered.bpmn": text.encode("utf-8")}, dmn={}, forms=forms, lanes=lanes,
                      handler_names=set(), roles=ROLES, script_functions=FUNCTIONS)
    try:
        build_bundles(inp)
    except DeployError as refused:
        return refused.problems
    return []


def test_fields_filled_inside_a_sub_process_and_before_it_are_known_after_it() -> None:
    assert _build(_diagram('label = title + decision')) == []


def test_a_boundary_event_of_a_task_does_not_see_its_form() -> None:
    problems = _build(_diagram("note = 1", late_script="note = title"))
    assert [(p["element"], "title" in str(p["problem"]) and "之前没有任何表单填写" in str(p["problem"]))
            for p in problems] == [("late_note", True)]


@pytest.mark.parametrize("script", ["note = decision", "note = amount"])
def test_inside_the_sub_process_the_earlier_form_is_known_and_its_own_later_one_is_not(script: str) -> None:
    text = _diagram("note = 1").replace('<bpmn:endEvent id="sub_end"/>', '<bpmn:scriptTask id="inner"><bpmn:script>'
                                        f'{script}</bpmn:script></bpmn:scriptTask><bpmn:endEvent id="sub_end"/>')
    text = text.replace('<bpmn:sequenceFlow id="s2" sourceRef="review" targetRef="sub_end"/>',
                        '<bpmn:sequenceFlow id="s2" sourceRef="sub_start" targetRef="inner"/>'
                        '<bpmn:sequenceFlow id="s3" sourceRef="inner" targetRef="review"/>'
                        '<bpmn:sequenceFlow id="s4" sourceRef="review" targetRef="sub_end"/>')
    text = text.replace('<bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="review"/>', "")
    problems = _build(text)
    if script == "note = amount":  # the submit form, filled before the sub-process
        assert problems == []
    else:  # the review's form is filled after the script inside the same sub-process
        assert [p["element"] for p in problems] == ["inner"], problems
