"""Races found by concurrency QA, run for real in threads (each request its own session and connection): a file
deleted while the form naming it is submitted, parallel uploads against the case's limit, a 暂存 while the task
is submitted, an account suspended while its holder completes a task, two deploys of one procedure. Of two
conflicting requests one loses with a clear refusal; what is stored stays consistent; no 500."""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import Attachment, ProcedureVersion, Task, TaskDraft, User
from app.services import steps
from app.services.cases import attachments
from app.services.identity.accounts import get_user_by_username
from app.services.identity.admin import set_active
from app.services.tasks import work
from app.web.form_rendering import UPLOAD_SUFFIX
from tests.procedures.steps import upload
from tests.support.api import ApiUser
from tests.support.races import WAIT, Paused, add_second_reviewer, in_thread, review_task, submitted
from tests.support.web import PDF_BYTES, WebUser

pytestmark = pytest.mark.committing

SETTLE = 0.5  # seconds for a request in another thread to reach the lock it waits for


def _stored_files(app: Flask, case_id: int) -> set[str]:
    folder = Path(app.config["UPLOAD_DIR"]) / str(case_id)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_file_deleted_while_the_form_naming_it_is_submitted_does_not_leave_the_submission_without_it(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both used to succeed: the application named a file that no longer existed, and the reviewer got 404."""
    submitter, deleter = as_user("ent-nanning"), as_user("ent-nanning")
    case = submitter.start(review_procedure).json
    task_id, file_id = case["open_tasks"][0]["id"], upload(submitter, case["id"], "合同.pdf")
    pause = Paused()  # the submission has validated the form (the file exists), not yet written anything
    monkeypatch.setattr(steps, "advance", pause.wrap(steps.advance, "submit"))
    form = {"title": "钢筋进场检验报告", "amount": 120, "files": [file_id]}
    with in_thread("submit", lambda: submitter.complete(task_id, form)) as submitted:
        assert pause.reached.wait(WAIT)
        deleted = deleter.client.delete(f"/api/v1/cases/{case['id']}/attachments/{file_id}",
                                        headers=deleter.headers)
        pause.go_on.set()
    assert deleted.status_code == 204, deleted.json
    assert submitted[0].status_code == 409 and submitted[0].json["code"] == "case_changed", submitted[0].json
    after = submitter.case(case["id"])
    assert after["open_tasks"][0]["id"] == task_id  # still to submit, with another file
    assert file_id not in str(after.get("data"))


def test_parallel_uploads_cannot_take_a_case_past_its_limit_together(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = as_user("ent-nanning"), as_user("ent-nanning")
    case_id = int(first.start(review_procedure).json["id"])
    upload(first, case_id)
    monkeypatch.setitem(app.config, "MAX_CASE_UPLOAD_BYTES", 2 * len(PDF_BYTES) + len(PDF_BYTES) // 2)  # one more
    pause = Paused()  # the first upload is past its checks of the file, its row not yet written
    monkeypatch.setattr(attachments, "_safe_name", pause.wrap(attachments._safe_name, "first"))
    with in_thread("first", lambda: first.upload(case_id, filename="一.pdf")) as one, \
            in_thread("second", lambda: (pause.reached.wait(WAIT), second.upload(case_id, filename="二.pdf"))[1]) \
            as two:
        assert pause.reached.wait(WAIT)
        time.sleep(SETTLE)
        pause.go_on.set()
    statuses = sorted([one[0].status_code, two[0].status_code])
    assert statuses == [201, 422], (one[0].json, two[0].json)
    refused = next(r for r in (one[0], two[0]) if r.status_code == 422)
    assert refused.json["code"] == "case_uploads_full"
    with app.app_context():
        stored = db.session.scalar(select(func.sum(Attachment.size)).where(Attachment.case_id == case_id))
        rows = set(db.session.scalars(select(Attachment.storage_path).where(Attachment.case_id == case_id)))
    assert stored is not None and stored <= app.config["MAX_CASE_UPLOAD_BYTES"]
    assert _stored_files(app, case_id) == {Path(p).name for p in rows}  # the refused file is not on disk


def test_the_files_of_a_page_completion_that_loses_a_race_are_removed_with_their_rows(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's unit of work was rolled back (409) but the files it had written stayed in the upload folder:
    unmanaged documents, and disk space no limit counted."""
    api = as_user("ent-nanning")
    case = api.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]
    page = WebUser(app, "ent-nanning").login()
    assert 'name="title"' in page.html(f"/tasks/{task_id}")
    pause = Paused()  # the page has read the task (open), and not yet stored its uploads
    monkeypatch.setattr(work, "task_form", pause.wrap(work.task_form, "page"))
    data = {"title": "页面提交", "amount": "100", "csrf_token": page.token,
            f"files{UPLOAD_SUFFIX}": [(io.BytesIO(PDF_BYTES), "附件一.pdf"), (io.BytesIO(PDF_BYTES), "附件二.pdf")]}
    with in_thread("page", lambda: page.client.post(f"/tasks/{task_id}", data=data,
                                                    content_type="multipart/form-data")) as posted:
        assert pause.reached.wait(WAIT)
        assert api.complete(task_id, {"title": "接口提交", "amount": 90}).status_code == 200
        pause.go_on.set()
    # Refused (the same user's API completion won: the page goes to the case, told it was submitted already)
    assert posted[0].status_code == 302, posted[0].get_data(as_text=True)[-3000:]
    with app.app_context():
        rows = set(db.session.scalars(select(Attachment.storage_path).where(Attachment.case_id == case["id"])))
    assert rows == set(), posted[0].get_data(as_text=True)[-3000:]
    assert _stored_files(app, case["id"]) == set()


def test_a_draft_saved_while_the_task_is_submitted_does_not_outlive_the_task(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The 暂存 committed while the submission was on its way: the draft stayed, hidden under a closed task,
    and its files could never be deleted (they were "in a draft")."""
    api = as_user("ent-nanning")
    case = api.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]
    page = WebUser(app, "ent-nanning").login()
    assert 'name="title"' in page.html(f"/tasks/{task_id}")
    pause = Paused()  # the API's submission has read the task (no draft yet) and validated it
    monkeypatch.setattr(steps, "advance", pause.wrap(steps.advance, "submit"))
    with in_thread("submit", lambda: api.complete(task_id, {"title": "接口提交", "amount": 90})) as submitted:
        assert pause.reached.wait(WAIT)
        saved = page.post(f"/tasks/{task_id}", {"title": "还没写完", "amount": "", "action": "save"})
        pause.go_on.set()
    assert saved.status_code == 302
    assert submitted[0].status_code == 200, submitted[0].json
    with app.app_context():
        assert db.session.scalars(select(TaskDraft).where(TaskDraft.task_id == task_id)).all() == []


def test_an_account_suspended_while_its_holder_completes_a_task_is_suspended(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The suspension lost the case's version to the completion and failed with "该办件已被他人处理": the account
    stayed active and its token kept working."""
    add_second_reviewer(app)
    ent, colleague = as_user("ent-nanning"), as_user("city-nanning-2")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    assert colleague.claim(task_id).status_code == 200
    pause = Paused()  # the approval has written the case (its version) and runs its service task
    real_handler = steps.get_handler

    def pausing_handler(name: str) -> Any:
        handler = real_handler(name)
        return pause.wrap(handler, "approve")
    monkeypatch.setattr(steps, "get_handler", pausing_handler)
    with app.app_context():
        admin_id, colleague_id = get_user_by_username("admin").id, get_user_by_username("city-nanning-2").id

    def suspend() -> bool:
        with app.app_context(), unit_of_work():
            admin = db.session.get(User, admin_id)
            assert admin is not None
            return set_active(admin, colleague_id, False).active

    with in_thread("approve", lambda: colleague.complete(task_id, {"decision": "approve"})) as approved:
        assert pause.reached.wait(WAIT)
        with in_thread("admin", suspend) as suspended:
            time.sleep(SETTLE)  # the suspension waits for the approval's lock on the case
            pause.go_on.set()
    assert approved[0].status_code == 200, approved[0].json
    assert suspended[0] is False, suspended[0]
    with app.app_context():
        user = db.session.get(User, colleague_id)
        task = db.session.get(Task, task_id)
        assert user is not None and not user.active
        assert task is not None and task.status == "completed"
    assert colleague.get("/api/v1/tasks?view=mine").status_code == 401


def test_two_deploys_of_one_procedure_at_once_number_their_versions_or_refuse_with_409(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    analyst, admin = as_user("analyst"), as_user("admin")
    current = analyst.get(f"/api/v1/procedures/{review_procedure}").json["version"]
    files = analyst.get(f"/api/v1/procedures/{review_procedure}/versions/{current}/files")
    assert files.status_code == 200, files.json
    base = files.json["files"]
    diagram = next(name for name in base if name.endswith(".bpmn"))
    barrier = threading.Barrier(2, timeout=WAIT)

    def deploy(user: ApiUser, label: str) -> Any:
        changed = {**base, diagram: base[diagram].replace('name="审核材料"', f'name="审核材料{label}"')}
        barrier.wait()
        return user.post(f"/api/v1/procedures/{review_procedure}/versions", {"files": changed, "note": label})

    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0
    with in_thread("one", lambda: deploy(analyst, "甲")) as one, in_thread("two", lambda: deploy(admin, "乙")) as two:
        pass
    answers = [one[0], two[0]]
    assert all(a.status_code in (200, 201, 409) for a in answers), [(a.status_code, a.json) for a in answers]
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.json["code"] == "procedure_changed" for a in refused)
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(ProcedureVersion)) or 0
    assert after - before == 2 - len(refused)
