"""A task's form sent twice by the same user at once (a double click, a client's retry before the first answer):
the loser of that race is told what a second submission after the first is told (409 `task_not_open`, 该任务已由您
提交; a page goes to the case with 该任务已提交), not that someone else handled the case (`case_changed`), which
nobody did. A race between two users keeps its conflict. Run for real in two threads, held together before either
writes (each its own session and connection), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from flask import Flask

from app.services import steps
from app.services.tasks import work
from tests.support.api import ApiUser
from tests.support.races import WAIT, Paused, add_second_reviewer, get_user, in_thread, review_task, submitted
from tests.support.web import WebUser, store_cookies

pytestmark = pytest.mark.committing

SUBMITTED_ALREADY = "该任务已由您提交，无需重复提交"
REJECTION = {"decision": "reject", "comment": "金额与合同不符"}


def _both_read_before_either_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each completion has read the open task and validated its form; neither has written: both go on together."""
    both_read = threading.Barrier(2, timeout=WAIT)
    real = steps.advance

    def advance_together(*args: Any, **kwargs: Any) -> Any:
        both_read.wait()
        return real(*args, **kwargs)
    monkeypatch.setattr(steps, "advance", advance_together)


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """The calls' answers, each call run in a thread of its own at the same time."""
    with ExitStack() as stack:
        outcomes = [stack.enter_context(in_thread(f"submit-{n}", call)) for n, call in enumerate(calls)]
    answers = [outcome[0] for outcome in outcomes]
    for answer in answers:
        assert not isinstance(answer, BaseException), answer
    return answers


def _completions(ent: ApiUser, case_id: int, task_id: str) -> int:
    return sum(1 for e in ent.case(case_id)["history"] if e["kind"] == "task_completed" and e["task_id"] == task_id)


def test_a_second_submission_after_the_first_is_told_it_was_submitted_already(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    task_id = review_task(app, submitted(ent, review_procedure)).id
    assert city.complete(task_id, REJECTION).status_code == 200
    again = city.complete(task_id, REJECTION)
    assert again.status_code == 409
    assert again.json["code"] == "task_not_open" and again.json["message"] == SUBMITTED_ALREADY


def test_the_loser_of_a_double_submit_by_one_user_is_told_it_was_submitted_already(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    _both_read_before_either_steps(monkeypatch)
    answers = sorted(_race(lambda: city.complete(task_id, REJECTION), lambda: city.complete(task_id, REJECTION)),
                     key=lambda r: r.status_code)
    assert [a.status_code for a in answers] == [200, 409], [a.json for a in answers]
    assert answers[1].json["code"] == "task_not_open", answers[1].json
    assert answers[1].json["message"] == SUBMITTED_ALREADY
    assert _completions(ent, case_id, task_id) == 1  # counted once
    assert review_task(app, case_id).completed_by_id == get_user(app, "city-nanning")


def test_the_loser_of_a_race_between_two_users_still_meets_a_conflict(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_second_reviewer(app)
    ent, city, colleague = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-nanning-2")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    _both_read_before_either_steps(monkeypatch)
    answers = _race(lambda: city.complete(task_id, REJECTION), lambda: colleague.complete(task_id, REJECTION))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.json for a in answers]
    lost = next(a for a in answers if a.status_code == 409)
    assert lost.json["code"] in ("case_changed", "task_not_open"), lost.json
    assert lost.json["message"] != SUBMITTED_ALREADY  # the other one submitted it
    assert _completions(ent, case_id, task_id) == 1


@pytest.fixture
def page_of_city(app: Flask) -> Iterator[WebUser]:
    yield WebUser(app, "city-nanning").login()


def test_a_page_sent_twice_at_once_goes_to_the_case_as_a_second_submission_does(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str, page_of_city: WebUser,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    assert city.claim(task_id).status_code == 200  # the page shows the form to the task's holder
    assert 'name="decision"' in page_of_city.html(f"/tasks/{task_id}")
    # The first click's request has read the open task, not yet begun its completion, when the second one goes
    # through (the two side by side: tests/web/test_page_completion_races.py).
    pause = Paused()
    monkeypatch.setattr(work, "task_form", pause.wrap(work.task_form, "first click"))
    with in_thread("first click", lambda: page_of_city.post(f"/tasks/{task_id}", REJECTION)) as first:
        assert pause.reached.wait(WAIT)
        second = page_of_city.post(f"/tasks/{task_id}", REJECTION)
        pause.go_on.set()
    assert second.status_code == 302
    # Told what a click after the first one is told (the first counted), not 409 该任务已由您提交 on an error page.
    assert first[0].status_code == 302, first[0].get_data(as_text=True)
    assert first[0].headers["Location"].endswith(f"/cases/{case_id}")
    store_cookies(page_of_city.client, first[0])
    assert "该任务已提交，无需重复提交" in page_of_city.html(first[0].headers["Location"])
    assert _completions(ent, case_id, task_id) == 1
