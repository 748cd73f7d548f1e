"""The workspace's actions reach the audit log with who did them: a draft created, saved, deleted (with the
sandbox runs deleted with it), a form added or removed, a decision table added; a deploy and a rollback carry
the analyst (id and organisation), not only his name as the system's own entries do."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import AuditEntry
from app.services.identity.accounts import get_user_by_username
from app.services.procedures import dmn, drafts

BASE = "/api/v1/procedures/personnel_unlock"
DRAFTS = f"{BASE}/drafts"
REVIEW = 'name="审核解锁申请"'


def _entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def _analyst(app: Flask) -> tuple[int, int | None]:
    with app.app_context():
        user = get_user_by_username("analyst")
        return user.id, user.organisation_id


def _by_analyst(app: Flask, entry: AuditEntry) -> bool:
    return (entry.actor_id, entry.organisation_id) == _analyst(app) and entry.actor_name == "analyst"


def test_a_draft_created_saved_and_deleted_with_its_runs_is_audited(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(DRAFTS, {"title": "审核步骤改名"}).json
    [created] = _entries(app, "procedure.draft_created")
    assert _by_analyst(app, created) and created.object_id == str(draft["id"])
    assert created.details["procedure"] == "personnel_unlock" and created.details["from_version"] == 1
    assert created.details["title"] == "审核步骤改名"

    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, 'name="审核"')
    saved = analyst.client.put(f"{DRAFTS}/{draft['id']}", json={"files": files, "revision": 1},
                               headers=analyst.headers)
    assert saved.status_code == 200, saved.json
    [save] = _entries(app, "procedure.draft_saved")
    assert _by_analyst(app, save) and save.object_id == str(draft["id"])
    assert save.details["revision"] == 2 and save.details["files_changed"] == ["bpmn/personnel_unlock.bpmn"]

    for _ in range(2):
        assert analyst.post(f"{BASE}/sandbox", {"draft_id": draft["id"]}).status_code == 201
    assert analyst.client.delete(f"{DRAFTS}/{draft['id']}", headers=analyst.headers).status_code == 204
    [deleted] = _entries(app, "procedure.draft_deleted")
    assert _by_analyst(app, deleted) and deleted.object_id == str(draft["id"])
    assert deleted.details["procedure"] == "personnel_unlock" and deleted.details["runs_deleted"] == 2


def test_forms_and_decision_tables_added_or_removed_are_audited(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        analyst = get_user_by_username("analyst")
        draft = drafts.create_draft(analyst, "personnel_unlock")
        drafts.add_form(analyst, draft.id, "extra_review")
        drafts.remove_form(analyst, draft.id, "extra_review")
        dmn.add_decision(analyst, draft.id, "fee_table", "收费标准")
        draft_id = draft.id
    for action, detail in (("procedure.form_added", {"form": "extra_review"}),
                           ("procedure.form_removed", {"form": "extra_review"}),
                           ("procedure.decision_added", {"decision": "fee_table"})):
        [entry] = _entries(app, action)
        assert _by_analyst(app, entry) and entry.object_id == str(draft_id), action
        assert entry.details["procedure"] == "personnel_unlock" and detail.items() <= entry.details.items()
    assert _entries(app, "procedure.draft_saved") == []  # one entry an action, not a save besides


def test_a_deploy_and_a_rollback_carry_the_analyst(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    draft = analyst.post(DRAFTS, {}).json
    files = dict(draft["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace(REVIEW, 'name="审核（新版）"')
    analyst.client.put(f"{DRAFTS}/{draft['id']}", json={"files": files}, headers=analyst.headers)
    assert analyst.post(f"{DRAFTS}/{draft['id']}/deploy", {"note": "审核步骤改名"}).status_code == 201
    [deployed] = _entries(app, "procedure.deployed")[-1:]
    assert _by_analyst(app, deployed) and deployed.details["version"] == 2
    back = analyst.post(f"{BASE}/current", {"version": 1, "note": "回退到版本 1"})
    assert back.status_code == 200, back.json
    [rollback] = _entries(app, "procedure.made_current")[-1:]
    assert _by_analyst(app, rollback) and rollback.details["version"] == 1
    assert rollback.details["previous_version"] == 2
