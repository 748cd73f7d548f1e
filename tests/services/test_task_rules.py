"""Rules an analyst sets on user tasks without Python: notSameAs (four-eyes), sameAs (the same reviewer, no
re-claiming), notifyApplicant."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.services.identity.accounts import create_user, get_user_by_username
from app.services.procedures.deploy import deploy_files
from tests.support.procedure_files import replace, review_files
from tests.support.web import WebUser

KEY = "material_review"
CONFIRM = ('<bpmn:userTask id="confirm" name="复核材料"><bpmn:extensionElements><spiffworkflow:properties>'
           '<spiffworkflow:property name="formKey" value="review_decision"/>{props}'
           '</spiffworkflow:properties></bpmn:extensionElements>'
           '<bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f5c</bpmn:outgoing></bpmn:userTask>'
           '<bpmn:sequenceFlow id="f5c" sourceRef="confirm" targetRef="decision"/>')


def _with_confirm(confirm_props: str, review_props: str = "", province: bool = False) -> dict[str, str]:
    """material_review with a second step `confirm` after the review (the city's, or the province's), carrying
    `confirm_props`."""
    confirm = "<bpmn:flowNodeRef>confirm</bpmn:flowNodeRef>"
    lane = f'</bpmn:lane><bpmn:lane id="lane_province" name="自治区住建厅">{confirm}' if province else confirm

    def edit(text: str) -> str:
        text = replace('<bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="decision"/>',
                       '<bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="confirm"/>'
                       + CONFIRM.format(props=confirm_props))(text)
        text = replace('<bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f_ok</bpmn:outgoing>',
                       '<bpmn:incoming>f5c</bpmn:incoming><bpmn:outgoing>f_ok</bpmn:outgoing>')(text)
        text = replace("<bpmn:flowNodeRef>end</bpmn:flowNodeRef>",
                       f"<bpmn:flowNodeRef>end</bpmn:flowNodeRef>{lane}")(text)
        return replace('<spiffworkflow:property name="dueIn" value="3 working days"/>',
                       f'<spiffworkflow:property name="dueIn" value="3 working days"/>{review_props}')(text)
    files = review_files(edit=edit)
    lanes = json.loads(files["bpmn/lanes.json"])
    files["bpmn/lanes.json"] = json.dumps({**lanes, "自治区住建厅": {"role": "province_reviewer", "scope": "province"}},
                                          ensure_ascii=False)
    return files


def _deploy(app: Flask, files: dict[str, str]) -> None:
    with app.app_context(), unit_of_work():
        deploy_files(None, KEY, files, "复核步骤")


def _second_reviewer(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        first = get_user_by_username("city-nanning")
        create_user("city-nanning-2", "南宁市住建局·审核员二", "x-Passw0rd!", first.organisation_id, "450100",
                    ["city_reviewer"])


def _reviewed(as_user: Any) -> dict[str, Any]:
    """A case submitted and reviewed (approved) by city-nanning: its confirm task is open."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case = ent.start(KEY).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 1}).status_code == 200
    review = city.task_for(case["id"])
    assert city.claim(review["id"]).status_code == 200
    assert city.complete(review["id"], {"decision": "approve"}).status_code == 200
    return ent.case(case["id"])


def test_four_eyes_refuses_the_reviewer_of_the_earlier_step_and_lets_another_finish(app: Flask, as_user: Any) -> None:
    _deploy(app, _with_confirm('<spiffworkflow:property name="notSameAs" value="review"/>'))
    _second_reviewer(app)
    case = _reviewed(as_user)
    (confirm,) = case["open_tasks"]
    city, other = as_user("city-nanning"), as_user("city-nanning-2")
    claimed = city.claim(confirm["id"])
    assert claimed.status_code == 422 and claimed.json["code"] == "four_eyes"
    assert "审核材料" in claimed.json["message"]
    completed = city.complete(confirm["id"], {"decision": "approve"})
    assert completed.status_code == 422 and completed.json["code"] == "four_eyes"
    with app.app_context():
        me = get_user_by_username("city-nanning").id
    assigned = city.post(f"/api/v1/tasks/{confirm['id']}/assign", {"user_id": me})
    assert assigned.status_code == 422 and assigned.json["code"] == "four_eyes"
    assert other.claim(confirm["id"]).status_code == 200
    assert other.complete(confirm["id"], {"decision": "approve"}).status_code == 200
    assert as_user("ent-nanning").case(case["id"])["status"] == "completed"


def test_same_as_gives_the_next_step_to_the_earlier_steps_reviewer(app: Flask, as_user: Any) -> None:
    _deploy(app, _with_confirm('<spiffworkflow:property name="sameAs" value="review"/>'))
    _second_reviewer(app)
    case = _reviewed(as_user)
    (confirm,) = case["open_tasks"]
    with app.app_context():
        city = get_user_by_username("city-nanning")
        assert confirm["assignee"]["id"] == city.id
    assert as_user("city-nanning-2").claim(confirm["id"]).json["code"] == "task_already_claimed"
    assigned = [e for e in case["history"] if e["kind"] == "task_assigned"]
    assert assigned[-1]["payload"]["rule"] == "sameAs"
    assert as_user("city-nanning").complete(confirm["id"], {"decision": "approve"}).status_code == 200


def test_same_as_leaves_the_task_open_when_the_earlier_reviewer_may_not_work_on_it(app: Flask, as_user: Any) -> None:
    _deploy(app, _with_confirm('<spiffworkflow:property name="sameAs" value="review"/>', province=True))
    case = _reviewed(as_user)
    (confirm,) = case["open_tasks"]
    assert confirm["assignee"] is None and confirm["role"] == "province_reviewer"
    assert as_user("province").claim(confirm["id"]).status_code == 200


def test_notify_applicant_tells_the_applicant_organisation_when_the_step_opens(app: Flask, as_user: Any) -> None:
    _deploy(app, _with_confirm("", '<spiffworkflow:property name="notifyApplicant" value="true"/>'))
    ent = as_user("ent-nanning")
    case = ent.start(KEY).json
    before = [n for n in ent.get("/api/v1/notifications").json["items"] if n["kind"] == "applicant_step"]
    assert before == []
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 1}).status_code == 200
    notes = [n for n in ent.get("/api/v1/notifications").json["items"] if n["kind"] == "applicant_step"]
    assert len(notes) == 1 and "审核材料" in notes[0]["title"] and case["number"] in notes[0]["title"]
    page = WebUser(app, "ent-nanning").login()
    page.get("/lang/en")  # the notice reads in the page's language (it was a Chinese sentence)
    assert f"{case['number']} has reached “审核材料”" in page.html("/notifications")
    assert [n for n in as_user("ent-liuzhou").get("/api/v1/notifications").json["items"]
            if n["kind"] == "applicant_step"] == []
