"""Draft pages of the workspace: create from a version, save the modeler's files (JSON, CSRF), the deploy checks
as one list naming file and element, deploy with a required note, delete; analysts and admins only."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

UNLOCK = "/workspace/personnel_unlock"
BPMN = "bpmn/personnel_unlock.bpmn"


def _create(user: Any) -> tuple[str, dict[str, Any]]:
    response = user.post(f"{UNLOCK}/drafts", {"version": "1", "title": "审核改名"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    path = response.headers["Location"]
    assert re.search(r"/workspace/personnel_unlock/drafts/\d+$", path)
    page = user.html(path)
    return path, json.loads(page.split('id="modeler-data">')[1].split("</script>")[0])


def _save(user: Any, path: str, files: dict[str, str | None], revision: int | None = None) -> Any:
    return user.client.post(f"{path}/files", json={"files": files, "revision": revision},
                            headers={"X-CSRFToken": user.token})


def test_the_draft_page_carries_what_the_modeler_needs(web: Any) -> None:
    analyst = web("analyst")
    path, data = _create(analyst)
    assert data["file"] == BPMN and 'id="personnel_unlock"' in data["xml"]
    assert data["lanes"]["市级住建部门"] == {"role": "city_reviewer", "scope": "case_city"}
    assert "decision" in data["forms"]["unlock_review"] and "unlock.release_locks" in data["handlers"]
    assert "city_reviewer" in data["roles"] and data["revision"] == 1
    assert "审核改名" in analyst.html(UNLOCK)  # listed among the procedure's drafts


def test_saving_needs_the_csrf_token_and_the_current_revision(web: Any) -> None:
    analyst = web("analyst")
    path, data = _create(analyst)
    xml = data["xml"].replace('name="审核解锁申请"', 'name="审核"')
    no_token = analyst.client.post(f"{path}/files", json={"files": {BPMN: xml}})
    assert no_token.status_code == 400
    saved = _save(analyst, path, {BPMN: xml}, 1)
    assert saved.status_code == 200 and saved.json["revision"] == 2
    stale = _save(analyst, path, {BPMN: data["xml"]}, 1)
    assert stale.status_code == 409 and stale.json["code"] == "draft_stale"
    again = json.loads(analyst.html(path).split('id="modeler-data">')[1].split("</script>")[0])
    assert 'name="审核"' in again["xml"] and again["revision"] == 2


def test_the_checks_name_file_and_element_and_a_refused_deploy_lists_them(web: Any) -> None:
    analyst = web("analyst")
    path, data = _create(analyst)
    assert analyst.client.post(f"{path}/check", headers={"X-CSRFToken": analyst.token}).json == {"problems": []}
    _save(analyst, path, {BPMN: data["xml"].replace('decision == "approve"', 'lead_decison == "approve"')})
    problems = analyst.client.post(f"{path}/check", headers={"X-CSRFToken": analyst.token}).json["problems"]
    assert problems[0]["file"] == BPMN and "lead_decison" in problems[0]["problem"]
    refused = analyst.post(f"{path}/deploy", {"note": "有错"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-source="server"' in page and "lead_decison" in page
    assert "部署未通过检查，未创建新版本" in page  # said at the top, not only in the list below the diagram
    assert '<strong data-testid="current-version">1</strong>' in analyst.html(UNLOCK)


def test_a_draft_deploys_with_a_note_as_the_next_version(web: Any) -> None:
    analyst = web("analyst")
    path, data = _create(analyst)
    _save(analyst, path, {BPMN: data["xml"].replace('name="审核解锁申请"', 'name="审核（新版）"')})
    no_note = analyst.post(f"{path}/deploy", {"note": ""}, follow_redirects=True)
    assert "请填写变更说明" in no_note.get_data(as_text=True)
    done = analyst.post(f"{path}/deploy", {"note": "审核步骤改名"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "已部署为版本 2" in page and '<strong data-testid="current-version">2</strong>' in page
    assert "审核步骤改名" in page and analyst.get(path).status_code == 404


def test_a_new_procedure_starts_as_a_draft_from_the_index(web: Any) -> None:
    analyst = web("analyst")
    response = analyst.post("/workspace/site_inspection/drafts", {"name": "现场检查申请"})
    assert response.status_code == 302
    assert "现场检查申请" in analyst.html("/workspace")
    bad = analyst.post("/workspace/X/drafts", {"name": "x"}, follow_redirects=True)
    assert "事项编码须为" in bad.get_data(as_text=True)


def test_a_draft_is_deleted(web: Any) -> None:
    analyst = web("analyst")
    path, _data = _create(analyst)
    assert analyst.post(f"{path}/delete").status_code == 302
    assert analyst.get(path).status_code == 404


@pytest.mark.parametrize("username", ["ent-nanning", "city-nanning"])
def test_other_roles_are_refused(web: Any, username: str) -> None:
    path, _data = _create(web("analyst"))
    user = web(username)
    assert user.get(path).status_code == 403
    assert user.post(f"{UNLOCK}/drafts", {"version": "1"}).status_code == 403
    assert _save(user, path, {BPMN: "<x/>"}).status_code == 403
    assert user.post(f"{path}/deploy", {"note": "x"}).status_code == 403
    assert user.post(f"{path}/delete").status_code == 403


def test_the_checks_are_in_english_in_the_english_pages_and_chinese_in_the_api(web: Any, as_user: Any) -> None:
    """A gateway whose flow has neither condition nor default: the English page names the flow and says why in
    English (the page, the modeler's data and the check the modeler calls); the API gives its Chinese text and,
beside it, its English (problem_en)."""
    analyst = web("analyst")
    path, data = _create(analyst)
    broken = data["xml"].replace('name="是否同意？" default="f_back"', 'name="是否同意？"')
    assert broken != data["xml"]
    _save(analyst, path, {BPMN: broken})
    analyst.get("/lang/en")
    english = ("The gateway “是否同意？” (decision) has several outgoing flows, and this flow has neither a "
               "condition nor is it the default flow")
    refused = analyst.post(f"{path}/deploy", {"note": "broken gateway"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    item = page.split('data-element="f_back" data-source="server">')[1].split("</li>")[0]
    assert english in item and "bpmn/personnel_unlock.bpmn · f_back" in item and "网关" not in item
    shown = json.loads(page.split('id="modeler-data">')[1].split("</script>")[0])["problems"]
    assert {"file": BPMN, "element": "f_back", "problem": english} in shown
    checked = analyst.client.post(f"{path}/check", headers={"X-CSRFToken": analyst.token}).json["problems"]
    assert {"file": BPMN, "element": "f_back", "problem": english} in checked
    files = as_user("analyst").get("/api/v1/procedures/personnel_unlock/versions/1/files").json["files"]
    api = as_user("analyst").post("/api/v1/procedures/personnel_unlock/versions",
                                  {"files": {**files, BPMN: broken}, "note": "x"})
    assert api.status_code == 422
    assert {"file": BPMN, "element": "f_back", "problem": "网关“是否同意？”(decision) 有多条出口连线，此连线既没有条件"
            "也不是默认连线", "problem_en": english} in api.json["details"]["problems"]


def test_a_draft_of_a_version_no_longer_current_deploys_only_once_the_analyst_chose_to_replace_it(
        web: Any) -> None:
    """Two analysts each made a draft of version 1; the first deployed version 2. The second draft's deploy used to
    become version 3 silently, undoing version 2's change."""
    analyst, admin = web("analyst"), web("admin")
    first, first_data = _create(analyst)
    second, second_data = _create(admin)
    _save(analyst, first, {BPMN: first_data["xml"].replace('name="审核解锁申请"', 'name="审核（甲）"')})
    assert "已部署为版本 2" in analyst.post(f"{first}/deploy", {"note": "甲的修改"},
                                             follow_redirects=True).get_data(as_text=True)
    _save(admin, second, {BPMN: second_data["xml"].replace('name="审核解锁申请"', 'name="审核（乙）"')})
    page = admin.html(second)
    assert 'data-testid="base-changed"' in page and "此草稿基于版本 1，当前版本已是 2" in page
    assert "/workspace/personnel_unlock/diff?old=1&amp;new=2" in page and 'name="replacing" value="2"' in page
    refused = admin.post(f"{second}/deploy", {"note": "乙的修改"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "草稿基于版本 1，当前版本已是 2（analyst 部署）" in text
    assert '<strong data-testid="current-version">2</strong>' in admin.html(UNLOCK)
    done = admin.post(f"{second}/deploy", {"note": "乙的修改", "replacing": "2"}, follow_redirects=True)
    assert "已部署为版本 3" in done.get_data(as_text=True)


def test_a_draft_equal_to_an_earlier_version_says_that_version_is_current_again(web: Any) -> None:
    analyst = web("analyst")
    first, data = _create(analyst)
    _save(analyst, first, {BPMN: data["xml"].replace('name="审核解锁申请"', 'name="审核（新版）"')})
    analyst.post(f"{first}/deploy", {"note": "改名"})
    unchanged, _data = _create(analyst)  # from version 1, nothing changed
    done = analyst.post(f"{unchanged}/deploy", {"note": "回到版本 1", "replacing": "2"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "版本 1 已重新设为当前版本" in page and '<strong data-testid="current-version">1</strong>' in page


def test_a_form_no_task_uses_is_listed_by_the_checks_and_deleted_from_the_draft(web: Any) -> None:
    """A deploy stores only the forms its tasks use and deletes the draft: a form nothing uses is a problem of the
    checks (it would have been lost unsaid), and the page deletes it (there was no way to, in the pages)."""
    analyst = web("analyst")
    path, _data = _create(analyst)
    assert analyst.post(f"{path}/forms", {"form_key": "unlock_site_check"}).status_code == 302
    problems = analyst.client.post(f"{path}/check", headers={"X-CSRFToken": analyst.token}).json["problems"]
    assert [(p["file"], p["element"]) for p in problems] == [("forms/unlock_site_check.json", "unlock_site_check")]
    refused = analyst.post(f"{path}/deploy", {"note": "加表单"})
    assert refused.status_code == 422 and "没有被任何任务使用" in refused.get_data(as_text=True)
    page = analyst.html(path)
    assert 'data-testid="delete-form-unlock_site_check"' in page and "确定从草稿中删除表单 unlock_site_check？" in page
    deleted = analyst.post(f"{path}/forms/unlock_site_check/delete", follow_redirects=True)
    assert "表单 unlock_site_check 已从草稿中删除" in deleted.get_data(as_text=True)
    assert analyst.client.post(f"{path}/check", headers={"X-CSRFToken": analyst.token}).json == {"problems": []}
    assert analyst.post(f"{path}/forms/unlock_site_check/delete").status_code == 404
    assert web("city-nanning").post(f"{path}/forms/unlock_review/delete").status_code == 403


def test_a_diagram_too_large_to_deploy_is_refused_naming_the_file_whatever_its_size(web: Any) -> None:
    """A save above the pages' general body limit (2 MB) was answered 413 without naming the file, a save between
    1 and 2 MB 422 naming it: both are a file too large for a deploy (1 MB), and the modeler shows which."""
    analyst = web("analyst")
    path, data = _create(analyst)
    for padding in (1_500_000, 3_000_000):
        xml = data["xml"].replace("</bpmn:definitions>", f"<!-- {'x' * padding} --></bpmn:definitions>")
        refused = _save(analyst, path, {BPMN: xml})
        assert refused.status_code == 422, (padding, refused.status_code)
        assert refused.json["problems"][0]["file"] == BPMN and "文件过大" in refused.json["problems"][0]["problem"]
