"""The sandbox ("try it") pages of a draft: the analyst starts a run as a real applicant enterprise, plays each
step as a role with the step's real form (choices read for that enterprise, the task pages' validation), sees
the path taken and where the run is, through to the end; nothing real changes, nothing shows in real lists, the
runs go with the draft; every action is audited; analysts and admins only."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, OutboxMessage, ProjectLock, SandboxRun, Task, User
from tests.support.web import PDF_BYTES

UNLOCK = "/workspace/personnel_unlock"


def _ids(app: Flask) -> tuple[int, int]:
    """ent-nanning's enterprise and one of its locked persons' locks."""
    with app.app_context():
        org = db.session.scalar(select(User.organisation_id).where(User.username == "ent-nanning"))
        lock = db.session.scalar(select(ProjectLock.id).where(ProjectLock.enterprise_id == org,
                                                               ProjectLock.active.is_(True)).order_by(ProjectLock.id))
    assert org and lock
    return org, lock


def _draft(user: Any) -> str:
    created = user.post(f"{UNLOCK}/drafts", {"version": "1", "title": "试运行用草稿"})
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    return str(created.headers["Location"])


def _start(user: Any, draft: str, applicant: int) -> str:
    started = user.post(f"{draft}/sandbox", {"applicant_id": str(applicant)})
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    run = str(started.headers["Location"])
    assert re.search(r"/sandbox/\d+$", run)
    return run


def _task_action(page: str) -> str:
    match = re.search(r'action="([^"]+/tasks/[0-9a-f-]{36})"', page)
    assert match, "no open step's form on the page"
    return match.group(1)


def _shown(user: Any, path: str) -> str:
    """The page without its CSRF tokens (signed with the time)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", user.html(path))


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Case, Task, OutboxMessage)}


def test_the_analyst_tries_the_unlock_draft_through_to_the_end_playing_each_role(web: Any, app: Flask) -> None:
    org, lock = _ids(app)
    before = _counts(app)
    analyst = web("analyst")
    draft = _draft(analyst)
    assert f'href="{draft}/sandbox"' in analyst.html(draft)  # the draft page links to its sandbox

    start_page = analyst.html(f"{draft}/sandbox?q=邕城")
    assert f'<option value="{org}"' in start_page and "广西邕城建设集团有限公司" in start_page
    chosen = analyst.html(f"{draft}/sandbox?applicant_id={org}")
    assert re.search(r'data-testid="chosen-applicant">广西邕城建设集团有限公司<', chosen)
    run = _start(analyst, draft, org)

    page = analyst.html(run)
    assert 'data-step="submit_request"' in page and 'data-status="running"' in page
    assert '<option value="enterprise" selected>' in page  # the lane's role, to be changed at will
    assert f'value="{lock}"' in page  # the enterprise's locked persons, read from its real records
    action = _task_action(page)

    empty = analyst.post(action, {"role": "enterprise", "kind": "penalty"})
    assert empty.status_code == 422
    assert "请至少选择一名锁定人员" in empty.get_data(as_text=True)  # the form's own messages, as on a task page
    form = {"role": "enterprise", "person": "企业经办人甲", "kind": "penalty", "lock_ids": str(lock),
            "reason": "行政处罚已履行完毕，申请解锁"}
    files = {"application_files__upload": (PDF_BYTES, "申请表.pdf"),
             "penalty_files__upload": (PDF_BYTES, "处罚决定书.pdf")}
    wrong_role = analyst.upload_form(action, {**form, "role": "city_reviewer"}, files)
    assert wrong_role.status_code == 422 and "由企业经办人办理" in wrong_role.get_data(as_text=True)
    done = analyst.upload_form(action, form, files)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]

    page = analyst.html(run)
    assert 'data-step="review_request"' in page and '<option value="city_reviewer" selected>' in page
    assert "处罚决定书.pdf" in page and "企业经办人甲" in page  # the path so far, with what was filled
    assert "（已选对象）" not in page  # the chosen person shows by name
    assert 'data-kind="handler"' in page and "unlock.bind_case" in page
    finished = analyst.post(_task_action(page), {"role": "city_reviewer", "person": "审核员乙",
                                                 "decision": "approve"})
    assert finished.status_code == 302
    page = analyst.html(run)
    assert 'data-status="completed"' in page and 'data-testid="run-finished"' in page
    assert 'data-step="release_locks"' in page and 'data-kind="completed"' in page
    step = page.split('data-step="release_locks"')[1].split("</li>")[0]  # its type in Chinese, not "ServiceTask"
    assert 'data-type="ServiceTask">服务任务<' in step

    with app.app_context():  # the release was tried and undone: the person is still locked, no case exists
        assert db.session.get(ProjectLock, lock).active is True
        actions = list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("procedure.sandbox%")).order_by(AuditEntry.id)))
        started = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "procedure.sandbox_started"))
    assert _counts(app) == before
    assert actions[0] == "procedure.sandbox_started" and actions.count("procedure.sandbox_step") >= 2
    assert started is not None and started.details["applicant_id"] == org


def test_sandbox_runs_show_in_no_real_list_and_go_with_their_draft(web: Any, app: Flask) -> None:
    org, lock = _ids(app)
    city, analyst = web("city-nanning"), web("analyst")
    lists = ("/tasks", "/tasks?view=claimable", "/cases", "/cases?q=试运行")
    before = {path: _shown(city, path) for path in lists}
    draft = _draft(analyst)
    run = _start(analyst, draft, org)
    analyst.upload_form(_task_action(analyst.html(run)), {
        "role": "enterprise", "kind": "penalty", "lock_ids": str(lock), "reason": "行政处罚已履行完毕"},
        {"application_files__upload": (PDF_BYTES, "a.pdf"), "penalty_files__upload": (PDF_BYTES, "b.pdf")})
    assert 'data-step="review_request"' in analyst.html(run)  # waiting for a city review, in the sandbox only
    assert {path: _shown(city, path) for path in lists} == before
    assert f'href="{run}"' in analyst.html(f"{draft}/sandbox")  # listed among the draft's runs
    deleted = analyst.post(f"{draft}/delete")
    assert deleted.status_code == 302
    assert analyst.get(run).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == 0


def test_a_run_is_deleted_from_its_page_and_a_broken_draft_is_refused(web: Any, app: Flask) -> None:
    org, _lock = _ids(app)
    analyst = web("analyst")
    draft = _draft(analyst)
    run = _start(analyst, draft, org)
    assert analyst.post(f"{run}/delete").status_code == 302
    assert analyst.get(run).status_code == 404
    data = json.loads(analyst.html(draft).split('id="modeler-data">')[1].split("</script>")[0])
    saved = analyst.client.post(f"{draft}/files", headers={"X-CSRFToken": analyst.token}, json={
        "files": {data["file"]: data["xml"].replace('decision == "approve"', 'lead_decison == "approve"')}})
    assert saved.status_code == 200
    refused = analyst.post(f"{draft}/sandbox", {"applicant_id": str(org)})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "lead_decison" in body and 'data-testid="sandbox-problems"' in body


def test_the_pages_need_the_csrf_token(web: Any, app: Flask) -> None:
    org, _lock = _ids(app)
    analyst = web("analyst")
    draft = _draft(analyst)
    assert analyst.post(f"{draft}/sandbox", {"applicant_id": str(org)}, csrf=False).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == 0


@pytest.mark.parametrize("username", ["ent-nanning", "city-nanning", "province", "auditor"])
def test_every_other_role_is_refused(username: str, web: Any) -> None:
    analyst = web("analyst")
    draft = _draft(analyst)
    other = web(username)
    assert other.get(f"{draft}/sandbox").status_code == 403
    assert other.post(f"{draft}/sandbox", {}).status_code == 403
    assert other.get("/workspace/import").status_code == 403


def test_the_sandbox_pages_speak_english_in_the_english_ui(web: Any, app: Flask) -> None:
    org, _lock = _ids(app)
    analyst = web("analyst")
    draft = _draft(analyst)
    analyst.get("/lang/en")
    start = analyst.html(f"{draft}/sandbox")
    assert "Start a new run" in start and "开始新的试运行" not in start
    run = analyst.html(_start(analyst, draft, org))
    assert "Path taken so far" in run and "Play the role" in run and "已走过的路径" not in run
