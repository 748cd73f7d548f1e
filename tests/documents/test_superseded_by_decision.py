"""A 审核决定书 (an approval after which the case still waits for another system, as a B→A upgrade waits for the
national platform's acknowledgement) is a decision: a refusal the applicant answered by amending and applying again
on the same case reads, on the public check, as superseded by it. The B→A upgrade ends with a refusal, so the
unlock is deployed here with its approval waiting for such an acknowledgement, as the upgrade's does."""
from __future__ import annotations

from typing import Any

from flask import Flask
from freezegun import freeze_time

from tests.documents.test_case_documents import _resubmit, documents_of
from tests.documents.test_superseded_refusal import REJECTION, SUPERSEDED, _checked
from tests.notifications.test_applicant_notices import _unlock_submitted
from tests.procedures.steps import act_ok
from tests.support.deadlines import local
from tests.support.procedure_files import replace, shipped_files

WAITING = """<bpmn:intermediateCatchEvent id="end_approved" name="等待外部系统回执">
      <bpmn:incoming>f_permanent</bpmn:incoming>
      <bpmn:outgoing>f_acknowledged</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg_test_ack"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end_acknowledged" name="已解锁">
      <bpmn:incoming>f_acknowledged</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f_acknowledged" sourceRef="end_approved" targetRef="end_acknowledged"/>
    <bpmn:endEvent id="end_approved_unused" name="已解锁">
      <bpmn:extensionElements>"""


def _approval_waits(text: str) -> str:
    text = replace('<bpmn:process id="personnel_unlock"',
                   '<bpmn:message id="msg_test_ack" name="delivered:test.ack"/>\n'
                   '  <bpmn:process id="personnel_unlock"')(text)
    text = replace('<bpmn:flowNodeRef>end_approved</bpmn:flowNodeRef>',
                   '<bpmn:flowNodeRef>end_approved</bpmn:flowNodeRef>'
                   '<bpmn:flowNodeRef>end_acknowledged</bpmn:flowNodeRef>')(text)
    head, rest = text.split('<bpmn:endEvent id="end_approved" name="已解锁">', 1)
    _, tail = rest.split("</bpmn:endEvent>", 1)
    return head + WAITING.split('    <bpmn:endEvent id="end_approved_unused"')[0].rstrip() + tail


def test_a_refusal_is_superseded_by_the_decision_of_an_approval_still_waiting(app: Flask, as_user: Any) -> None:
    deployed = as_user("analyst").post("/api/v1/procedures/personnel_unlock/versions",
                                       {"files": shipped_files("personnel_unlock", _approval_waits),
                                        "note": "审核通过后等待外部系统回执"})
    assert deployed.status_code == 201, deployed.json
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, REJECTION)
        refusal = documents_of(app, case_id)[-1]
        assert refusal["kind"] == "refusal"
        clock.move_to(local("2026-11-04 10:00"))
        _resubmit(ent, case_id)  # amended and applied again
        assert SUPERSEDED not in _checked(app, refusal["code"])
        clock.move_to(local("2026-11-05 10:00"))
        act_ok(city, case_id, {"decision": "approve"})
    case = ent.case(case_id)
    assert case["status"] == "running" and case["current_step"] == "等待外部系统回执"
    decision = documents_of(app, case_id)[-1]
    assert (decision["kind"], decision["title"]) == ("decision", "审核决定书")

    html = _checked(app, refusal["code"])
    notice = html.split('data-testid="superseded"', 1)[1].split("</div>", 1)[0]
    assert SUPERSEDED in notice and "2026年11月5日" in notice
    assert decision["number"] in notice and "审核决定书" in notice
    assert SUPERSEDED not in _checked(app, decision["code"])  # the decision in force
