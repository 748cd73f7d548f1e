"""Drafts of procedures through the API: made from a version, saved, checked like a deploy (problems naming file
and element), deployed as the next version with a note (the draft then gone), deleted; analysts and admins only;
a new procedure starts from its first files."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcedureDraft, ProcedureVersion

BASE = "/api/v1/procedures/personnel_unlock/drafts"
OTHER_ROLES = ["ent-nanning", "city-nanning", "province", "supervisor", "person"]
REVIEW = 'name="审核解锁申请"'


def _put(user: Any, path: str, body: dict[str, Any]) -> Any:
    return user.client.put(path, json=body, headers=user.headers)


def _drafts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcedureDraft)) or 0


def _versions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0


def test_a_draft_from_the_current_version_holds_every_file_of_it(as_user: Any) -> None:
    analyst = as_user("analyst")
    created = analyst.post(BASE, {})
    assert created.status_code == 201, created.json
    draft = created.json
    assert draft["base_version"] == 1 and draft["author"] == "analyst" and draft["revision"] == 1
    files = analyst.get("/api/v1/procedures/personnel_unlock/versions/1/files").json["files"]
    assert draft["files"] == files
    listed = analyst.get(BASE).json
    assert [d["id"] for d in listed] == [draft["id"]] and "files" not in listed[0]
    assert analyst.get(f"{BASE}/{draft['id']}").json["files"] == files


def test_a_save_replaces_the_files_and_a_stale_save_is_refused(as_user: Any) -> None:
    analyst, admin = as_user("analyst"), as_user("admin")
    draft = analyst.post(BASE, {"title": "审核步骤改名"}).json
    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, 'name="审核"')
    saved = _put(admin, f"{BASE}/{draft['id']}", {"files": files, "revision": 1})
    assert saved.status_code == 200, saved.json
    assert saved.json["revision"] == 2 and saved.json["updated_by"] == "admin"
    stale = _put(analyst, f"{BASE}/{draft['id']}", {"files": draft["files"], "revision": 1})
    assert stale.status_code == 409 and stale.json["code"] == "draft_stale"
    assert 'name="审核"' in analyst.get(f"{BASE}/{draft['id']}").json["files"]["bpmn/personnel_unlock.bpmn"]


def test_a_save_refuses_file_names_a_deploy_refuses(as_user: Any) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    refused = _put(analyst, f"{BASE}/{draft['id']}", {"files": {**draft["files"], "../etc/passwd": "x"}})
    assert refused.status_code == 422 and refused.json["details"]["problems"][0]["file"] == "../etc/passwd"


def test_a_check_lists_problems_naming_file_and_element(as_user: Any) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    assert analyst.post(f"{BASE}/{draft['id']}/check").json == {"problems": []}
    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(
        'decision == "approve"', 'lead_decison == "approve"')
    _put(analyst, f"{BASE}/{draft['id']}", {"files": files})
    problems = analyst.post(f"{BASE}/{draft['id']}/check").json["problems"]
    assert problems and problems[0]["file"] == "bpmn/personnel_unlock.bpmn"
    assert problems[0]["element"] and "lead_decison" in problems[0]["problem"]


def test_a_draft_deploys_as_the_next_version_with_its_note_and_is_gone(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, 'name="审核（新版）"')
    _put(analyst, f"{BASE}/{draft['id']}", {"files": files})
    before = _versions(app)
    no_note = analyst.post(f"{BASE}/{draft['id']}/deploy", {"note": " "})
    assert no_note.status_code == 422 and _versions(app) == before
    deployed = analyst.post(f"{BASE}/{draft['id']}/deploy", {"note": "审核步骤改名"})
    assert deployed.status_code == 201, deployed.json
    assert deployed.json == {"key": "personnel_unlock", "version": 2, "note": "审核步骤改名"}
    assert analyst.get(f"{BASE}/{draft['id']}").status_code == 404
    detail = analyst.get("/api/v1/procedures/personnel_unlock").json
    assert detail["version"] == 2 and detail["versions"][-1]["deployed_by"] == "analyst"


def test_a_draft_whose_base_is_no_longer_current_deploys_only_when_it_names_the_version_it_replaces(
        as_user: Any, app: Flask) -> None:
    analyst, admin = as_user("analyst"), as_user("admin")
    first, second = analyst.post(BASE, {}).json, admin.post(BASE, {}).json
    for user, draft, name in ((analyst, first, "审核（甲）"), (admin, second, "审核（乙）")):
        files = dict(draft["files"])
        files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, f'name="{name}"')
        _put(user, f"{BASE}/{draft['id']}", {"files": files})
    assert analyst.post(f"{BASE}/{first['id']}/deploy", {"note": "甲"}).json["version"] == 2
    before = _versions(app)
    refused = admin.post(f"{BASE}/{second['id']}/deploy", {"note": "乙"})
    assert refused.status_code == 409 and refused.json["code"] == "base_version_changed"
    assert refused.json["details"] == {"base_version": 1, "current_version": 2}
    assert "草稿基于版本 1，当前版本已是 2（analyst 部署）" in refused.json["message"]
    assert _versions(app) == before and admin.get(f"{BASE}/{second['id']}").status_code == 200
    wrong = admin.post(f"{BASE}/{second['id']}/deploy", {"note": "乙", "replacing": 1})
    assert wrong.status_code == 409 and wrong.json["code"] == "base_version_changed"
    deployed = admin.post(f"{BASE}/{second['id']}/deploy", {"note": "乙", "replacing": 2})
    assert deployed.status_code == 201 and deployed.json["version"] == 3


def test_a_form_no_task_uses_is_a_deploy_problem_not_dropped_with_the_draft(as_user: Any, app: Flask) -> None:
    """A new form not linked to a task yet used to pass the checks; the deploy stored the version without it and
    deleted the draft: the analyst's form was gone."""
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    form = '{"title": "现场核查记录", "type": "object", "properties": {"comment": {"type": "string"}}}'
    _put(analyst, f"{BASE}/{draft['id']}", {"files": {**draft["files"], "forms/unlock_site_check.json": form}})
    problems = analyst.post(f"{BASE}/{draft['id']}/check").json["problems"]
    assert [(p["file"], p["element"]) for p in problems] == [("forms/unlock_site_check.json", "unlock_site_check")]
    assert "没有被任何任务使用，部署时不会保存" in problems[0]["problem"]
    before = _versions(app)
    refused = analyst.post(f"{BASE}/{draft['id']}/deploy", {"note": "加表单"})
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused"
    assert _versions(app) == before and "forms/unlock_site_check.json" in analyst.get(
        f"{BASE}/{draft['id']}").json["files"]


@pytest.mark.parametrize(("role", "scope"), [("enterprise", "case_city"), ("city_reviewer", "applicant"),
                                           ("province_reviewer", "case_city"), ("city_reviewer", "province")])
def test_a_lane_whose_tasks_no_user_can_take_is_a_deploy_problem(role: str, scope: str, as_user: Any) -> None:
    """Mapped to a role whose users are never candidates in that scope, the lane's tasks waited for ever: the
    enterprise's case, its review task (role enterprise, scope case_city) in no one's list."""
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    lanes = {"申请企业": {"role": "enterprise", "scope": "applicant"},
             "市级住建部门": {"role": role, "scope": scope}}
    _put(analyst, f"{BASE}/{draft['id']}", {"files": {**draft["files"], "bpmn/lanes.json": json.dumps(lanes)}})
    problems = analyst.post(f"{BASE}/{draft['id']}/check").json["problems"]
    assert [(p["file"], p["element"]) for p in problems] == [("bpmn/lanes.json", "市级住建部门")], problems
    assert f"角色 '{role}' 的用户不会成为范围 '{scope}' 的任务的办理人" in problems[0]["problem"]


def test_a_misspelt_form_keyword_is_a_deploy_problem(as_user: Any) -> None:
    """`requird` for `required`: jsonschema ignores a keyword it does not know, so the decision silently became
    optional; only the form editor warned, the deploy checks and the deploy accepted it."""
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    form = draft["files"]["forms/unlock_review.json"]
    assert '"required"' in form
    files = {**draft["files"], "forms/unlock_review.json": form.replace('"required"', '"requird"', 1)}
    _put(analyst, f"{BASE}/{draft['id']}", {"files": files})
    problems = analyst.post(f"{BASE}/{draft['id']}/check").json["problems"]
    assert [(p["file"], p["problem"]) for p in problems] == [("forms/unlock_review.json", "未知关键字 “requird”")]


def test_the_checks_list_a_bad_limit_with_what_the_parsed_diagram_shows(as_user: Any) -> None:
    """One list: a malformed 办理时限 used to hide the condition's typo and the unknown handler until it was fixed,
    each kind of problem one save at a time."""
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    diagram = (draft["files"]["bpmn/personnel_unlock.bpmn"]
               .replace('name="dueIn" value="3 working days"', 'name="dueIn" value="三天"')
               .replace('decision == "approve"', 'decison == "approve"')
               .replace('id="unlock.release_locks"', 'id="unlock.release_lock"'))
    _put(analyst, f"{BASE}/{draft['id']}", {"files": {**draft["files"], "bpmn/personnel_unlock.bpmn": diagram}})
    problems = analyst.post(f"{BASE}/{draft['id']}/check").json["problems"]
    text = "\n".join(p["problem"] for p in problems)
    assert "三天" in text and "decison" in text and "unlock.release_lock" in text, problems


def test_a_broken_draft_is_refused_at_deploy_and_nothing_is_stored(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(
        'decision == "approve"', 'lead_decison == "approve"')
    _put(analyst, f"{BASE}/{draft['id']}", {"files": files})
    before = _versions(app)
    refused = analyst.post(f"{BASE}/{draft['id']}/deploy", {"note": "有错误"})
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused"
    assert refused.json["details"]["problems"][0]["file"] == "bpmn/personnel_unlock.bpmn"
    assert _versions(app) == before and analyst.get(f"{BASE}/{draft['id']}").status_code == 200


def test_a_new_procedure_starts_from_first_files_that_deploy(as_user: Any) -> None:
    analyst = as_user("analyst")
    created = analyst.post("/api/v1/procedures/site_inspection/drafts", {"name": "现场检查申请"})
    assert created.status_code == 201, created.json
    draft = created.json
    assert draft["base_version"] is None
    assert set(draft["files"]) == {"bpmn/site_inspection.bpmn", "bpmn/lanes.json",
                                   "forms/site_inspection_request.json"}
    path = f"/api/v1/procedures/site_inspection/drafts/{draft['id']}"
    assert analyst.post(f"{path}/check").json == {"problems": []}
    deployed = analyst.post(f"{path}/deploy", {"note": "新事项"})
    assert deployed.status_code == 201 and deployed.json["version"] == 1
    listed = {p["key"]: p for p in as_user("ent-nanning").get("/api/v1/procedures").json}
    assert listed["site_inspection"]["name"] == "现场检查申请"


def test_a_bad_new_key_and_an_unknown_version_are_refused(as_user: Any) -> None:
    analyst = as_user("analyst")
    assert analyst.post("/api/v1/procedures/X-1/drafts", {}).status_code == 422
    assert analyst.post(BASE, {"from_version": 9}).status_code == 404
    assert analyst.post("/api/v1/procedures/nothing_here/drafts", {"from_version": 1}).status_code == 404


def test_a_draft_is_found_only_under_its_own_procedure_and_deletes(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {}).json
    assert analyst.get(f"/api/v1/procedures/performance_record_edit/drafts/{draft['id']}").status_code == 404
    assert analyst.client.delete(f"{BASE}/{draft['id']}", headers=analyst.headers).status_code == 204
    assert _drafts(app) == 0


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused(username: str, as_user: Any, app: Flask) -> None:
    draft_id = as_user("analyst").post(BASE, {}).json["id"]
    user = as_user(username)
    assert user.get(BASE).status_code == 403
    assert user.post(BASE, {}).status_code == 403
    assert user.get(f"{BASE}/{draft_id}").status_code == 403
    assert _put(user, f"{BASE}/{draft_id}", {"title": "x"}).status_code == 403
    assert user.post(f"{BASE}/{draft_id}/check").status_code == 403
    assert user.post(f"{BASE}/{draft_id}/deploy", {"note": "x"}).status_code == 403
    assert user.client.delete(f"{BASE}/{draft_id}", headers=user.headers).status_code == 403
    assert _drafts(app) == 1
