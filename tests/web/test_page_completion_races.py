"""Task pages submitted at the same moment, run for real in threads (each request its own session and connection),
on SQLite and PostgreSQL: the first submission has written and is about to commit when the second one reaches the
database. The second one waits for it and then loses as on the API: a conflict (409) when someone else handled the
task, the case page with 该任务已提交 when it was the user's own other click; never the outage page (503, 数据库暂时
不可用) SQLite's refusal of a write from a read transaction used to give, nor a 409 for the user's own double click.
Two tasks of different cases submitted at once both go through; a lock held past the timeout is still an outage."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app
from app.db import add_before_commit, unit_of_work
from app.extensions import db
from app.models import Role
from app.services.demo import DEMO_PASSWORD
from app.services.identity.accounts import create_user, get_user_by_username
from tests.api.test_database_errors import CONFIG_KEYS, case_row_locked
from tests.support.api import ApiUser
from tests.support.races import WAIT, get_user, in_thread, review_task, submitted
from tests.support.web import WebUser, store_cookies

pytestmark = pytest.mark.committing

REJECTION = {"decision": "reject", "comment": "金额与合同不符"}
OUTAGE = "数据库暂时不可用"
SENT_TWICE = "该任务已提交，无需重复提交"
SETTLE = 0.3  # seconds for the second request, past its first write or lock, to meet the first one's lock
WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


class Overlap:
    """Holds the request of thread "first" with its writes flushed, before its commit, until the request of
    thread "second" has sent its first statement that writes or takes the write lock (and a moment more, to
    wait at the lock or be refused by it)."""

    def __init__(self, app: Flask) -> None:
        self.holding, self.second_writes, self.go_on = threading.Event(), threading.Event(), threading.Event()
        add_before_commit(app, self._hold)
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _hold(self, session: Session) -> None:
        if threading.current_thread().name == "first":
            session.flush()
            self.holding.set()
            assert self.go_on.wait(WAIT)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name == "second" and statement.lstrip().upper().startswith(WRITES):
            self.second_writes.set()

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        with in_thread("first", first) as one:
            assert self.holding.wait(WAIT)
            with in_thread("second", second) as two:
                assert self.second_writes.wait(WAIT)
                time.sleep(SETTLE)
                self.go_on.set()
        for answer in (one[0], two[0]):
            assert not isinstance(answer, BaseException), answer
        return one[0], two[0]

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def overlap(app: Flask) -> Iterator[Overlap]:
    held = Overlap(app)
    yield held
    held.go_on.set()
    held.close()


def _add_second_reviewer(app: Flask) -> None:
    """A second reviewer of Nanning, who signs in on the pages (a phone for the code): two candidates for the
    city's review."""
    with app.app_context(), unit_of_work():
        lead = get_user_by_username("city-nanning")
        create_user("city-nanning-2", "南宁市住建局·审核员二", DEMO_PASSWORD, lead.organisation_id, "450100",
                    [Role.CITY_REVIEWER], phone="13907710002")


def _completions(ent: ApiUser, case_id: int, task_id: str) -> int:
    return sum(1 for e in ent.case(case_id)["history"] if e["kind"] == "task_completed" and e["task_id"] == task_id)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)  # type: ignore[no-any-return]


def test_of_two_reviewers_submitting_one_task_at_once_the_second_meets_a_conflict_not_an_outage(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str, overlap: Overlap) -> None:
    _add_second_reviewer(app)
    ent = as_user("ent-nanning")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    city, colleague = WebUser(app, "city-nanning").login(), WebUser(app, "city-nanning-2").login()
    first, second = overlap.run(lambda: city.post(f"/tasks/{task_id}", REJECTION),
                                lambda: colleague.post(f"/tasks/{task_id}", REJECTION))
    assert first.status_code == 302, _text(first)[-2000:]
    assert second.status_code == 409, _text(second)[-2000:]
    assert OUTAGE not in _text(second)
    assert "该办件已被他人处理" in _text(second) or "该任务已办结或已取消" in _text(second)
    assert _completions(ent, case_id, task_id) == 1
    assert review_task(app, case_id).completed_by_id == get_user(app, "city-nanning")


def test_a_page_sent_twice_at_once_goes_to_the_case_with_the_notice_a_second_submission_gets(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str, overlap: Overlap) -> None:
    """A double click on 提交: the second request is answered as one sent after the first is (the first one counted),
    not with 该任务已由您提交 on an error page (409), nor with the outage page."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    assert city.claim(task_id).status_code == 200  # the page shows the form to the task's holder
    page = WebUser(app, "city-nanning").login()
    assert 'name="decision"' in page.html(f"/tasks/{task_id}")
    first, second = overlap.run(lambda: page.post(f"/tasks/{task_id}", REJECTION),
                                lambda: page.post(f"/tasks/{task_id}", REJECTION))
    assert first.status_code == 302, _text(first)[-2000:]
    assert second.status_code == 302, _text(second)[-2000:]
    assert second.headers["Location"].endswith(f"/cases/{case_id}")
    store_cookies(page.client, second)  # the answer the browser got last: its notice is shown on the case page
    assert SENT_TWICE in page.html(second.headers["Location"])
    assert _completions(ent, case_id, task_id) == 1


def test_tasks_of_two_cases_submitted_on_their_pages_at_once_both_go_through(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str, overlap: Overlap) -> None:
    _add_second_reviewer(app)
    ent = as_user("ent-nanning")
    one, other = submitted(ent, review_procedure), submitted(ent, review_procedure)
    task_one, task_other = review_task(app, one).id, review_task(app, other).id
    city, colleague = WebUser(app, "city-nanning").login(), WebUser(app, "city-nanning-2").login()
    first, second = overlap.run(lambda: city.post(f"/tasks/{task_one}", REJECTION),
                                lambda: colleague.post(f"/tasks/{task_other}", REJECTION))
    assert first.status_code == 302, _text(first)[-2000:]
    assert second.status_code == 302, _text(second)[-2000:]
    assert _completions(ent, one, task_one) == 1 and _completions(ent, other, task_other) == 1


def test_a_page_completion_kept_waiting_past_the_timeout_by_a_lock_is_still_told_of_an_outage(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    """The completion waits for the database's write lock (SQLite) or the case's row (PostgreSQL), and not for
    ever: another transaction holding it past GJY_DB_TIMEOUT_SECONDS is an outage (503), nothing saved."""
    ent = as_user("ent-nanning")
    case_id = submitted(ent, review_procedure)
    task_id = review_task(app, case_id).id
    impatient = create_app({**{key: app.config[key] for key in CONFIG_KEYS}, "DB_TIMEOUT_SECONDS": 0.3})
    try:
        page = WebUser(impatient, "city-nanning").login()
        with case_row_locked(app.config["SQLALCHEMY_DATABASE_URI"], case_id):
            refused = page.post(f"/tasks/{task_id}", REJECTION)
        assert refused.status_code == 503 and OUTAGE in _text(refused)
        assert _completions(ent, case_id, task_id) == 0
        assert page.post(f"/tasks/{task_id}", REJECTION).status_code == 302  # once the lock is gone
    finally:
        with impatient.app_context():
            db.session.remove()
            db.engine.dispose()
