"""Helpers of the race tests (tests/api/test_concurrency.py, tests/api/test_races_of_files_drafts_and_accounts.py):
requests run for real in threads, one paused at a point of its request until the test lets it go on."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Role, Task
from app.services.identity.accounts import create_user, get_user_by_username
from tests.support.api import ApiUser

WAIT = 30  # seconds; a test that waits that long has failed anyway


class Paused:
    """Holds one thread at a point of its request until the test lets it go on."""

    def __init__(self) -> None:
        self.reached, self.go_on = threading.Event(), threading.Event()

    def wrap(self, real: Callable[..., Any], thread_name: str) -> Callable[..., Any]:
        def paused(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread().name == thread_name:
                self.reached.set()
                assert self.go_on.wait(WAIT)
            return real(*args, **kwargs)
        return paused


@contextmanager
def in_thread(name: str, call: Callable[[], Any]) -> Iterator[list[Any]]:
    """Run `call` in a thread named `name`; the list holds its result (or exception) once the block ends."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # reported by the test's assertions
            outcome.append(exc)

    thread = threading.Thread(target=run, name=name)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(WAIT)


def add_second_reviewer(app: Flask) -> None:
    """A second reviewer of Nanning: two candidates for the city's review."""
    with app.app_context(), unit_of_work():
        lead = get_user_by_username("city-nanning")
        create_user("city-nanning-2", "南宁市住建局·审核员二", "Another-Passw0rd!", lead.organisation_id,
                    "450100", [Role.CITY_REVIEWER])


def get_user(app: Flask, username: str) -> int:
    with app.app_context():
        return get_user_by_username(username).id


def submitted(ent: ApiUser, procedure: str) -> int:
    case = ent.start(procedure).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋进场检验报告", "amount": 120}).status_code == 200
    return int(case["id"])


def review_task(app: Flask, case_id: int) -> Task:
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.case_id == case_id, Task.bpmn_id == "review"))
        assert task is not None
        db.session.expunge(task)
        return task
