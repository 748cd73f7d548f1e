"""Whom a task may be assigned to, through the API: a lead lists the candidates (names and the ids an assign
takes) instead of guessing a user id; those who may not assign are refused, another region does not see the
task; the four-eyes rule's excluded reviewer is not offered."""
from __future__ import annotations

from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.services.identity.accounts import create_user, get_user_by_username
from tests.api.test_case_lifecycle import start_and_submit
from tests.services.test_task_rules import _deploy, _reviewed, _with_confirm


def _colleague(app: Flask, username: str = "city-nanning-2") -> int:
    """A second reviewer of Nanning's city authority (not a lead)."""
    with app.app_context(), unit_of_work():
        lead = get_user_by_username("city-nanning")
        return create_user(username, "南宁市住建局·审核员二", "x-Passw0rd!", lead.organisation_id, "450100",
                           ["city_reviewer"]).id


def _review_task(as_user: Any) -> str:
    case_id, _ = start_and_submit(as_user("ent-nanning"))
    task = as_user("city-nanning").task_for(case_id)
    assert task is not None
    return str(task["id"])


def test_a_lead_lists_the_reviewers_of_the_task_and_assigns_one_by_its_id(app: Flask, as_user: Any) -> None:
    colleague = _colleague(app)
    task_id = _review_task(as_user)
    lead = as_user("city-nanning")
    listed = lead.get(f"/api/v1/tasks/{task_id}/candidates")
    assert listed.status_code == 200, listed.json
    by_name = {c["username"]: c for c in listed.json}
    assert set(by_name) == {"city-nanning", "city-nanning-2"}, listed.json
    assert by_name["city-nanning-2"] == {"id": colleague, "username": "city-nanning-2",
                                         "display_name": "南宁市住建局·审核员二"}
    assigned = lead.post(f"/api/v1/tasks/{task_id}/assign", {"user_id": by_name["city-nanning-2"]["id"]})
    assert assigned.status_code == 200 and assigned.json["assignee"]["username"] == "city-nanning-2"


def test_those_who_may_not_assign_are_refused_and_another_region_does_not_see_the_task(
        app: Flask, as_user: Any) -> None:
    _colleague(app)
    task_id = _review_task(as_user)
    path = f"/api/v1/tasks/{task_id}/candidates"
    not_lead = as_user("city-nanning-2").get(path)
    assert not_lead.status_code == 403 and not_lead.json["code"] == "assign_not_allowed"
    assert as_user("ent-nanning").get(path).status_code == 403
    other_region = as_user("city-liuzhou").get(path)
    assert other_region.status_code == 404 and other_region.json["code"] == "task_not_found"
    assert as_user("city-nanning").get("/api/v1/tasks/no-such-task/candidates").status_code == 404


def test_the_reviewer_the_four_eyes_rule_keeps_from_the_task_is_not_a_candidate(app: Flask, as_user: Any) -> None:
    """city-nanning reviewed the material: the confirm step (notSameAs review) may not be his; assigning it
    to him is refused, so he is not offered."""
    _deploy(app, _with_confirm('<spiffworkflow:property name="notSameAs" value="review"/>'))
    _colleague(app)
    (confirm,) = _reviewed(as_user)["open_tasks"]
    listed = as_user("city-nanning").get(f"/api/v1/tasks/{confirm['id']}/candidates")
    assert listed.status_code == 200 and [c["username"] for c in listed.json] == ["city-nanning-2"]


def test_a_cancelled_task_has_no_candidates(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id, _ = start_and_submit(ent)
    task = as_user("city-nanning").task_for(case_id)
    assert task is not None
    assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再申请"}).status_code == 200
    answered = as_user("city-nanning").get(f"/api/v1/tasks/{task['id']}/candidates")
    assert answered.status_code == 409 and answered.json["code"] == "task_not_open"


def test_the_openapi_document_describes_the_candidates(client: Any) -> None:
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/tasks/{task_id}/candidates"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/TaskCandidate"}}
