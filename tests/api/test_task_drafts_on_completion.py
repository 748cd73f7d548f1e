"""A completed task's drafts (暂存) are dropped with its completion, whoever kept them; a task without a draft
completes as before, and another task's draft stays."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import TaskDraft
from app.services.identity.accounts import get_user_by_username
from app.services.tasks.drafts import save_draft
from tests.procedures.steps import act_ok, task_of, upload
from tests.services.test_deadlines_decision import _lock_of


def _save(app: Flask, username: str, task_id: str, data: dict[str, Any]) -> None:
    with app.app_context(), unit_of_work():
        user = get_user_by_username(username)
        assert user is not None
        save_draft(user, task_id, data)


def _drafts(app: Flask) -> set[str]:
    """The tasks that have a draft."""
    with app.app_context():
        return set(db.session.scalars(select(TaskDraft.task_id)))


def _form(app: Flask, ent: Any, case_id: int, name: str) -> dict[str, Any]:
    return {"kind": "penalty", "lock_ids": [_lock_of(app, name)], "reason": "项目经理受行政处罚，须更换",
            "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
            "penalty_files": [upload(ent, case_id, "处罚决定书.pdf")]}


def test_completing_a_task_drops_its_drafts_and_keeps_other_tasks_drafts(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    first = int(ent.start("personnel_unlock").json["id"])
    second = int(ent.start("personnel_unlock").json["id"])
    first_task, second_task = task_of(ent, first), task_of(ent, second)
    assert first_task is not None and second_task is not None
    _save(app, "ent-nanning", first_task["id"], {"reason": "暂存的理由"})
    _save(app, "ent-nanning", second_task["id"], {"reason": "另一办件的暂存"})
    assert _drafts(app) == {first_task["id"], second_task["id"]}

    act_ok(ent, first, _form(app, ent, first, "陆伟"))
    assert _drafts(app) == {second_task["id"]}

    # The review has no draft: it completes as before, and the other case's draft stays.
    act_ok(city, first, {"decision": "approve"})
    assert _drafts(app) == {second_task["id"]}


def test_a_refused_submission_keeps_the_draft_and_the_accepted_one_drops_it(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    task = task_of(ent, case_id)
    assert task is not None
    form = _form(app, ent, case_id, "陆伟")
    _save(app, "ent-nanning", task["id"], form)
    refused = ent.complete(task["id"], {**form, "reason": "短"})
    assert refused.status_code == 422, refused.json
    assert _drafts(app) == {task["id"]}
    response = ent.complete(task["id"], form)
    assert response.status_code == 200, response.json
    assert _drafts(app) == set()
