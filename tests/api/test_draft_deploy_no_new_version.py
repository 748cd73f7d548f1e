"""A draft whose content is a version's already: its deploy answers 200, as the OpenAPI document says (it listed
201 only), and says what happened: the current version's content (nothing deployed, the note not recorded) or an
earlier version's (made current again, the note recorded and returned); the draft is deleted, as on the pages."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcedureChange, ProcedureVersion

KEY = "personnel_unlock"
BASE = f"/api/v1/procedures/{KEY}/drafts"
REVIEW = 'name="审核解锁申请"'


def _versions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0


def _notes(app: Flask) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(select(ProcedureChange.note).order_by(ProcedureChange.id)))


def _documented_200(analyst: Any) -> dict[str, Any]:
    document = analyst.get("/api/v1/openapi.json").json
    responses = document["paths"]["/api/v1/procedures/{key}/drafts/{draft_id}/deploy"]["post"]["responses"]
    assert "200" in responses, sorted(responses)
    ref = responses["200"]["content"]["application/json"]["schema"]["$ref"]
    return dict(document["components"]["schemas"][ref.rsplit("/", 1)[1]])


def test_an_unchanged_draft_says_nothing_was_deployed_nor_its_note_kept(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(BASE, {"title": "不改动的草稿"}).json
    versions, notes = _versions(app), _notes(app)
    answered = analyst.post(f"{BASE}/{draft['id']}/deploy", {"note": "草稿原样部署"})
    assert answered.status_code == 200, answered.json
    assert answered.json == {
        "key": KEY, "version": 1, "note": None, "state": "unchanged",
        "message": "草稿内容与当前版本 1 相同，未部署：未创建新版本，变更说明未记录；草稿已删除",
        "message_en": "The draft is the same as the current version 1: nothing was deployed, no new version was "
                      "created and the change note was not recorded; the draft was deleted"}
    assert set(answered.json) == set(_documented_200(analyst)["properties"])
    assert _versions(app) == versions and _notes(app) == notes
    assert analyst.get(f"{BASE}/{draft['id']}").status_code == 404  # deleted, as the page does


def test_a_draft_of_an_earlier_version_makes_it_current_again_with_the_note(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    changed = analyst.post(BASE, {}).json
    files = dict(changed["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, 'name="审核（新版）"')
    analyst.client.put(f"{BASE}/{changed['id']}", json={"files": files}, headers=analyst.headers)
    assert analyst.post(f"{BASE}/{changed['id']}/deploy", {"note": "审核步骤改名"}).status_code == 201
    back = analyst.post(BASE, {"from_version": 1}).json
    answered = analyst.post(f"{BASE}/{back['id']}/deploy", {"note": "退回版本 1 的内容", "replacing": 2})
    assert answered.status_code == 200, answered.json
    assert answered.json["state"] == "made_current" and answered.json["version"] == 1
    assert answered.json["note"] == "退回版本 1 的内容"
    assert "版本 1 已重新设为当前版本，变更说明已记录" in answered.json["message"]
    assert answered.json["message_en"].startswith("The draft is the same as version 1")
    assert analyst.get(f"/api/v1/procedures/{KEY}").json["version"] == 1
    assert _notes(app)[-1] == "退回版本 1 的内容"
    assert analyst.get(f"{BASE}/{back['id']}").status_code == 404
