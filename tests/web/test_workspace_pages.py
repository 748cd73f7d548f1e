"""The procedure workspace pages: analysts and admins see every procedure's versions, a version's diagram and
forms, download its files, and make an earlier version current with a note; every other role is refused."""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from flask import Flask

from app.db import unit_of_work
from app.services.procedures import deploy

UNLOCK = "personnel_unlock"


def _second_version(app: Flask) -> None:
    """Version 2 of the unlock procedure: its review form gets an optional field."""
    with app.app_context(), unit_of_work():
        files = deploy.version_files(*_files_and_manifest(UNLOCK))
        form = json.loads(files["forms/unlock_review.json"])
        form["properties"]["memo"] = {"type": "string", "title": "备忘"}
        files["forms/unlock_review.json"] = json.dumps(form, ensure_ascii=False)
        deploy.deploy_files(None, UNLOCK, files, "审核表增加备忘")


def _files_and_manifest(key: str) -> tuple[dict[str, str], dict[str, Any]]:
    version = deploy.get_procedure(key).current_version
    assert version is not None
    return dict(version.files), version.manifest


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_admins_see_every_procedure_with_its_versions(web: Any, username: str) -> None:
    page = web(username).html("/workspace")
    for key in (UNLOCK, "data_upgrade_b_to_a", "data_upgrade_c_to_a", "personnel_deregistration",
                "performance_record_edit"):
        assert f'data-testid="procedure-{key}"' in page
    unlock = page.split(f'data-testid="procedure-{UNLOCK}"')[1].split("</section>")[0]
    assert "版本 1" in unlock and "当前" in unlock and 'data-testid="running-cases"' in unlock
    assert "服务器文件" in unlock  # deployed from the bpmn/ folder, as bpmn/README.md says the page shows it
    assert "事项流程" in web(username).html("/")  # the navigation links the workspace


def test_a_version_page_shows_the_diagram_forms_and_files(web: Any) -> None:
    page = web("analyst").html(f"/workspace/{UNLOCK}/versions/1")
    data = json.loads(page.split('id="diagram-data">')[1].split("</script>")[0])
    assert data["xml"].lstrip().startswith("<?xml") and f'id="{UNLOCK}"' in data["xml"]
    assert 'data-form="unlock_request"' in page and 'data-form="unlock_review"' in page
    assert "bpmn/lanes.json" in page and "bpmn/personnel_unlock.bpmn" in page


def test_the_files_download_as_a_zip_a_repository_can_hold(web: Any) -> None:
    response = web("analyst").get(f"/workspace/{UNLOCK}/versions/1/files.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert {"bpmn/personnel_unlock.bpmn", "bpmn/lanes.json", "forms/unlock_request.json",
            "forms/unlock_review.json"} <= set(names)


def test_making_an_earlier_version_current_needs_a_note_and_is_shown(app: Flask, web: Any) -> None:
    _second_version(app)
    analyst = web("analyst")
    assert '<strong data-testid="current-version">2</strong>' in analyst.html(f"/workspace/{UNLOCK}")
    refused = analyst.post(f"/workspace/{UNLOCK}/current", {"version": "1", "note": " "}, follow_redirects=True)
    assert "请填写变更说明" in refused.get_data(as_text=True)
    done = analyst.post(f"/workspace/{UNLOCK}/current", {"version": "1", "note": "版本 2 有误，回退"},
                        follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "版本 1 已设为当前版本" in page and '<strong data-testid="current-version">1</strong>' in page
    assert "审核表增加备忘" in page


def test_a_make_current_without_the_csrf_token_is_refused(web: Any) -> None:
    response = web("analyst").post(f"/workspace/{UNLOCK}/current", {"version": "1", "note": "x"}, csrf=False)
    assert response.status_code == 400


@pytest.mark.parametrize("username", ["ent-nanning", "city-nanning", "province"])
def test_every_other_role_is_refused(web: Any, username: str) -> None:
    user = web(username)
    for path in ("/workspace", f"/workspace/{UNLOCK}", f"/workspace/{UNLOCK}/versions/1",
                 f"/workspace/{UNLOCK}/versions/1/files.zip"):
        assert user.get(path).status_code == 403, path
    assert user.post(f"/workspace/{UNLOCK}/current", {"version": "1", "note": "x"}).status_code == 403
    assert "/workspace" not in user.get("/", follow_redirects=True).get_data(as_text=True)


def test_an_unknown_procedure_or_version_is_404(web: Any) -> None:
    analyst = web("analyst")
    assert analyst.get("/workspace/nope").status_code == 404
    assert analyst.get(f"/workspace/{UNLOCK}/versions/99").status_code == 404
