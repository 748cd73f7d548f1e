"""Races between requests, run for real in two threads (each its own session and connection): a claim and a
completion of the same task, two applications for the same subject, a page's uploads and its completion.
One of two conflicting requests loses with 409 (or the rule's 422); nothing is half-written."""
from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Person, ProjectLock
from app.services import steps
from app.services.cases import subjects
from app.services.tasks import work
from app.web.form_rendering import UPLOAD_SUFFIX
from tests.procedures.steps import upload
from tests.support.api import ApiUser
from tests.support.races import WAIT, Paused, add_second_reviewer, get_user, in_thread, review_task, submitted
from tests.support.web import PDF_BYTES, WebUser

# Real commits: threads with sessions of their own, another connection holding locks.
pytestmark = pytest.mark.committing

def test_a_claim_made_while_a_colleague_completes_the_task_wins_and_the_completion_loses(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_second_reviewer(app)
    ent, city, colleague = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-nanning-2")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    pause = Paused()  # the colleague's completion has read and validated the unclaimed task, not yet written
    monkeypatch.setattr(steps, "advance", pause.wrap(steps.advance, "colleague"))
    with in_thread("colleague", lambda: colleague.complete(task_id, {"decision": "approve"})) as completion:
        assert pause.reached.wait(WAIT)
        claim = city.claim(task_id)
        pause.go_on.set()
    assert claim.status_code == 200
    assert completion[0].status_code == 409, completion[0].json
    task = review_task(app, case_id)
    assert task.status == "open" and task.assignee_id == get_user(app, "city-nanning")
    assert ent.case(case_id)["status"] == "running"


def test_a_completion_made_while_a_colleague_claims_the_task_wins_and_the_claim_loses(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_second_reviewer(app)
    ent, city, colleague = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-nanning-2")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    pause = Paused()  # the colleague's claim has read the unclaimed task, not yet written
    monkeypatch.setattr(work, "is_candidate", pause.wrap(work.is_candidate, "colleague"))
    with in_thread("colleague", lambda: colleague.claim(task_id)) as claim:
        assert pause.reached.wait(WAIT)
        completion = city.complete(task_id, {"decision": "approve"})
        pause.go_on.set()
    assert completion.status_code == 200, completion.json
    assert claim[0].status_code == 409 and claim[0].json["code"] in ("task_already_claimed", "task_not_open")
    task = review_task(app, case_id)
    assert task.status == "completed" and task.completed_by_id == get_user(app, "city-nanning")


def _lock_of(app: Flask, name: str) -> int:
    with app.app_context():
        lock_id = db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                    .where(Person.name == name, ProjectLock.active.is_(True)))
        assert lock_id is not None
        return lock_id


def test_two_applications_for_the_same_person_submitted_at_once_one_is_refused(
        app: Flask, as_user: Callable[[str], ApiUser], monkeypatch: pytest.MonkeyPatch) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "陆伟")
    cases = [int(ent.start("personnel_unlock").json["id"]) for _ in range(2)]
    forms = [{"kind": "duty_change", "lock_ids": [lock_id], "reason": "项目经理履职变更，申请解锁",
              "application_files": [upload(ent, case_id, "解锁申请表.pdf")]} for case_id in cases]
    tasks = [ent.case(case_id)["open_tasks"][0]["id"] for case_id in cases]
    both_checked = threading.Barrier(2, timeout=WAIT)  # both found no other application before either wrote

    checked: set[str] = set()

    def claims_then_wait(*args: Any, **kwargs: Any) -> Any:
        found = real_claims(*args, **kwargs)
        if threading.current_thread().name not in checked:  # the check
            checked.add(threading.current_thread().name)
            both_checked.wait()
        return found

    real_claims = subjects.claims  # the validator's check of the locks' claims, before it claims them
    monkeypatch.setattr(subjects, "claims", claims_then_wait)
    with in_thread("first", lambda: ent.complete(tasks[0], forms[0])) as first, \
            in_thread("second", lambda: ent.complete(tasks[1], forms[1])) as second:
        pass
    statuses = sorted([first[0].status_code, second[0].status_code])
    assert statuses == [200, 422], (first[0].json, second[0].json)
    refused = next(r for r in (first[0], second[0]) if r.status_code == 422)
    assert refused.json["code"] == "duplicate_open_case"
    reached = [case_id for case_id in cases if city.task_for(case_id) is not None]
    assert len(reached) == 1  # only one application reached the authority
    assert refused.json["details"]["case_number"] == ent.case(reached[0])["number"]


def test_one_application_submitted_twice_at_once_is_a_conflict_not_a_duplicate(
        app: Flask, as_user: Callable[[str], ApiUser], monkeypatch: pytest.MonkeyPatch) -> None:
    """A double submit of the same form: the second used to be told of 另一办件 (another application), which is
    its own case; it is the conflict any concurrent step of the same case meets."""
    ent = as_user("ent-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    form = {"kind": "duty_change", "lock_ids": [_lock_of(app, "陆伟")], "reason": "项目经理履职变更，申请解锁",
            "application_files": [upload(ent, case_id, "解锁申请表.pdf")]}
    task_id = ent.case(case_id)["open_tasks"][0]["id"]
    both_checked = threading.Barrier(2, timeout=WAIT)
    checked: set[str] = set()

    def claims_then_wait(*args: Any, **kwargs: Any) -> Any:
        found = real_claims(*args, **kwargs)
        if threading.current_thread().name not in checked:
            checked.add(threading.current_thread().name)
            both_checked.wait()
        return found

    real_claims = subjects.claims
    monkeypatch.setattr(subjects, "claims", claims_then_wait)
    with in_thread("first", lambda: ent.complete(task_id, form)) as first, \
            in_thread("second", lambda: ent.complete(task_id, form)) as second:
        pass
    answers = sorted([first[0], second[0]], key=lambda r: r.status_code)
    assert [a.status_code for a in answers] == [200, 409], [a.json for a in answers]
    assert "另一办件" not in answers[1].json["message"] and answers[1].json["code"] != "duplicate_open_case"
    history = ent.case(case_id)["history"]
    assert [e["task_id"] for e in history if e["kind"] == "task_completed"] == [task_id]  # counted once


def test_a_refused_page_completion_keeps_nothing_it_uploaded_when_the_step_loses_a_race(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The page stores its uploads and completes the task in one unit of work: a completion that loses a race
    leaves no upload behind (a first transaction used to commit them before the step)."""
    ent_api = as_user("ent-nanning")
    case = ent_api.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]
    page = WebUser(app, "ent-nanning").login()
    form = page.html(f"/tasks/{task_id}")
    assert 'name="title"' in form
    pause = Paused()  # the page has read the task (open), and not yet stored its upload
    monkeypatch.setattr(work, "task_form", pause.wrap(work.task_form, "page"))
    data = {"title": "页面提交", "amount": "100", "csrf_token": page.token,
            f"files{UPLOAD_SUFFIX}": (io.BytesIO(PDF_BYTES), "附件.pdf")}
    with in_thread("page", lambda: page.client.post(f"/tasks/{task_id}", data=data,
                                                    content_type="multipart/form-data")) as posted:
        assert pause.reached.wait(WAIT)
        assert ent_api.complete(task_id, {"title": "接口提交", "amount": 90}).status_code == 200
        pause.go_on.set()
    # The same user's API completion won: the page is answered as a second submission is, on the case page.
    assert posted[0].status_code == 302 and posted[0].headers["Location"].endswith(f"/cases/{case['id']}")
    with app.app_context():
        names = db.session.scalars(select(Attachment.filename).where(Attachment.case_id == case["id"])).all()
    assert "附件.pdf" not in names


def test_a_conflict_found_before_a_handler_runs_is_a_409_not_the_cases_error(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The approval's first write is the flush before its service task: the case changed meanwhile, so the
    approval loses with 409, and neither the handler runs nor the case shows 异常."""
    add_second_reviewer(app)
    ent, city, colleague = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-nanning-2")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    pause = Paused()  # the colleague's approval has validated, not yet run the engine
    monkeypatch.setattr(steps, "advance", pause.wrap(steps.advance, "colleague"))
    with in_thread("colleague", lambda: colleague.complete(task_id, {"decision": "approve"})) as approval:
        assert pause.reached.wait(WAIT)
        assert city.claim(task_id).status_code == 200
        rejected = city.complete(task_id, {"decision": "reject", "comment": "金额与合同不符"})
        pause.go_on.set()
    assert rejected.status_code == 200, rejected.json
    assert approval[0].status_code == 409 and approval[0].json["code"] == "case_changed"
    case = ent.case(case_id)
    assert case["status"] == "waiting_for_applicant" and case["error_message"] is None
    assert "handler_ran" not in [e["kind"] for e in case["history"]]
