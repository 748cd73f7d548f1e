"""The diff and migration pages of the workspace: what changed between two versions (files, elements, form
fields), a dry run listing every open case with can / cannot and why, then the move of the chosen cases."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.web.test_workspace_pages import UNLOCK, _second_version


@pytest.fixture
def two_versions(app: Flask, as_user: Any) -> int:
    """A case started on version 1, then version 2 deployed (the review form gets an optional field)."""
    started = as_user("ent-nanning").start(UNLOCK)
    assert started.status_code == 201, started.json
    _second_version(app)
    return int(started.json["id"])


def test_the_diff_lists_the_changed_form_fields_and_carries_both_diagrams(web: Any, two_versions: int) -> None:
    page = web("analyst").html(f"/workspace/{UNLOCK}/diff?old=1&new=2")
    row = page.split('data-file="forms/unlock_review.json"')[1].split("</tr>")[0]
    assert 'data-status="changed"' in row and "memo" in row.split('data-kind="added"')[1].split("</td>")[0]
    data = json.loads(page.split('id="diff-data">')[1].split("</script>")[0])
    assert f'id="{UNLOCK}"' in data["old"] and f'id="{UNLOCK}"' in data["new"]
    assert 'data-file="bpmn/personnel_unlock.bpmn"' not in page  # the diagram did not change


def test_a_dry_run_lists_the_open_case_then_it_moves(web: Any, two_versions: int, as_user: Any) -> None:
    analyst = web("analyst")
    path = f"/workspace/{UNLOCK}/migration"
    assert "版本 1（办理中 1 件）" in analyst.html(path)
    dry = analyst.post(path, {"from_version": "1", "to_version": "2", "action": "dry_run"})
    page = dry.get_data(as_text=True)
    assert f'data-case-id="{two_versions}" data-can-migrate="1"' in page and "迁移所选办件" in page
    assert as_user("ent-nanning").case(two_versions)["procedure_version"] == 1
    nothing_ticked = analyst.post(path, {"from_version": "1", "to_version": "2", "action": "migrate"})
    page = nothing_ticked.get_data(as_text=True)  # it used to move every open case
    assert "请勾选要迁移的办件" in page and f'data-case-id="{two_versions}" data-can-migrate="1"' in page
    assert as_user("ent-nanning").case(two_versions)["procedure_version"] == 1
    done = analyst.post(path, {"from_version": "1", "to_version": "2", "action": "migrate",
                               "case_id": str(two_versions)})
    page = done.get_data(as_text=True)
    number = as_user("ent-nanning").case(two_versions)["number"]
    assert f'data-case-id="{two_versions}" data-migrated="1"' in page and f">{number}</a>" in page
    assert "版本 1（办理中 0 件）" in page  # counted after the move
    assert as_user("ent-nanning").case(two_versions)["procedure_version"] == 2


def test_the_same_version_is_refused_with_a_message(web: Any, two_versions: int) -> None:
    page = web("analyst").post(f"/workspace/{UNLOCK}/migration",
                               {"from_version": "2", "to_version": "2", "action": "dry_run"})
    assert "源版本与目标版本相同" in page.get_data(as_text=True)


def test_other_roles_are_refused(web: Any) -> None:
    city = web("city-nanning")
    assert city.get(f"/workspace/{UNLOCK}/diff").status_code == 403
    assert city.get(f"/workspace/{UNLOCK}/migration").status_code == 403
    assert city.post(f"/workspace/{UNLOCK}/migration", {"from_version": "1", "to_version": "1"}).status_code == 403


def test_the_reasons_a_case_cannot_move_are_in_the_page_language(web: Any, two_versions: int) -> None:
    analyst = web("analyst")
    form = {"from_version": "1", "to_version": "2", "mapping": "no_such_step=review_request", "action": "dry_run"}
    chinese = analyst.post(f"/workspace/{UNLOCK}/migration", form).get_data(as_text=True)
    row = chinese.split(f'data-case-id="{two_versions}" data-can-migrate="0"')[1].split("</tr>")[0]
    assert "映射的原步骤 no_such_step 不在原版本中" in row
    analyst.get("/lang/en")
    english = analyst.post(f"/workspace/{UNLOCK}/migration", form).get_data(as_text=True)
    row = english.split(f'data-case-id="{two_versions}" data-can-migrate="0"')[1].split("</tr>")[0]
    assert "The mapped step no_such_step is not in the source version" in row and "映射" not in row
