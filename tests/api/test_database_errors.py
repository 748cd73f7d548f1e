"""Database failures are not conflicts: a statement that times out (a lock held elsewhere) or a lost
connection answers 503 with the error logged, in JSON for the API and as a page for pages, and changes
nothing; only a version mismatch is a 409."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.db import SQLITE_BUSY_SNAPSHOT, unit_of_work
from app.errors import DatabaseUnavailable, StaleCase
from app.extensions import db
from app.models import Task
from tests.support.api import ApiUser
from tests.support.web import WebUser

CONFIG_KEYS = ("TESTING", "SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR", "DEMO", "WORKER", "SECRET_KEY", "DATA_KEY",
               "WTF_CSRF_ENABLED", "BPMN_DIR", "FORMS_DIR", "SMS_GATEWAY", "SMS_PHONE_LIMITS", "SIGNIN_IP_LIMIT",
               "PASSWORD_HASH_METHOD")


@pytest.fixture
def impatient_app(app: Flask) -> Iterator[Flask]:
    """The app on the same database, waiting at most 0.3 s for a lock (GJY_DB_TIMEOUT_SECONDS)."""
    impatient = create_app({**{key: app.config[key] for key in CONFIG_KEYS}, "DB_TIMEOUT_SECONDS": 0.3})
    yield impatient
    with impatient.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def case_row_locked(url: str, case_id: int) -> Iterator[None]:
    """Another transaction holds the case (PostgreSQL: its row; SQLite: the database's write lock)."""
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
        yield
        conn.rollback()
    engine.dispose()


def _submitted(ent: ApiUser, procedure: str) -> int:
    case = ent.start(procedure).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋进场检验报告", "amount": 120}).status_code == 200
    return int(case["id"])


def _review(app: Flask, case_id: int) -> tuple[str, int | None]:
    with app.app_context():
        task = db.session.scalar(select(Task).where(Task.case_id == case_id, Task.bpmn_id == "review"))
        assert task is not None
        return task.id, task.assignee_id


@pytest.mark.committing
def test_a_statement_that_waits_past_the_timeout_answers_503_not_409(
        app: Flask, impatient_app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str,
        caplog: pytest.LogCaptureFixture) -> None:
    case_id = _submitted(as_user("ent-nanning"), review_procedure)
    task_id, _ = _review(app, case_id)
    city = ApiUser(impatient_app, impatient_app.test_client(), "city-nanning", as_user("city-nanning").token)
    page = WebUser(impatient_app, "city-nanning").login()
    with case_row_locked(app.config["SQLALCHEMY_DATABASE_URI"], case_id):
        refused = city.claim(task_id)
        page_refused = page.post(f"/tasks/{task_id}/claim")
    assert refused.status_code == 503
    assert refused.json == {"code": "database_unavailable", "message": DatabaseUnavailable.message, "details": {},
                            "message_en": "The database is temporarily unavailable; nothing was saved, "
                                          "please try again later"}
    assert page_refused.status_code == 503 and page_refused.mimetype == "text/html"
    assert "数据库暂时不可用" in page_refused.get_data(as_text=True)
    assert "database unavailable" in caplog.text  # logged for the operators, with the driver's error
    assert _review(app, case_id)[1] is None  # nothing changed
    assert city.claim(task_id).status_code == 200  # once the lock is gone, the same request goes through


@pytest.mark.pg
@pytest.mark.committing
def test_a_lost_connection_answers_503_once_and_the_next_request_gets_a_new_one(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("a server that drops connections: the PostgreSQL run covers it")
    ent = as_user("ent-nanning")
    assert ent.get("/api/v1/cases").status_code == 200  # a pooled connection now exists
    admin = create_engine(url)
    with admin.connect() as conn:  # the server ends every other session on this database (a restart, a failover)
        ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert ended >= 1
    lost = ent.get("/api/v1/cases")
    assert lost.status_code == 503 and lost.json["code"] == "database_unavailable"
    assert ent.get("/api/v1/cases").status_code == 200


def test_a_sqlite_write_refused_because_another_transaction_wrote_first_is_a_conflict(app: Flask,
                                                                                      tmp_path: Path) -> None:
    """SQLITE_BUSY_SNAPSHOT (a write after reading what another connection then changed) is a lost race:
    409 like a version mismatch, not the 503 of a database that did not answer."""
    path = tmp_path / "race.sqlite3"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x INTEGER)")
    reader, writer = sqlite3.connect(path, isolation_level=None), sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()
    writer.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError) as raised:
        reader.execute("INSERT INTO t VALUES (2)")
    assert raised.value.sqlite_errorcode == SQLITE_BUSY_SNAPSHOT
    with app.app_context(), pytest.raises(StaleCase):
        with unit_of_work():
            raise OperationalError("INSERT INTO t VALUES (2)", {}, raised.value)
    for conn in (reader, writer, setup):
        conn.close()


@pytest.mark.committing
def test_a_read_answers_although_its_tokens_last_use_cannot_be_written(
        app: Flask, impatient_app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    """Noting a token's last use is a write on a reading request: when another transaction holds the lock
    (SQLite: the database's write lock), the list still answers; the use is noted on a later request."""
    case_id = _submitted(as_user("ent-nanning"), review_procedure)
    city = ApiUser(impatient_app, impatient_app.test_client(), "city-nanning", as_user("city-nanning").token)
    with case_row_locked(app.config["SQLALCHEMY_DATABASE_URI"], case_id):
        listed = city.get("/api/v1/tasks?view=claimable")
    assert listed.status_code == 200, listed.json
    assert case_id in [task["case_id"] for task in listed.json["items"]]


def _end_every_session(url: str) -> None:
    """The server ends every other session on the database (a restart, a failover)."""
    admin = create_engine(url)
    with admin.connect() as conn:
        ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert ended >= 1


@pytest.mark.pg
@pytest.mark.committing
def test_after_a_lost_connection_pages_and_the_health_probe_answer_503_not_a_bare_500(app: Flask) -> None:
    """A page's signed-in user is loaded before the request's unit of work: its lost connection gave an empty
    500 (the error page itself loaded the user again); the health probe's caught error left the request's
    transaction unusable and its commit gave a 500 HTML page to the load balancer (it answers JSON now)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("a server that drops connections: the PostgreSQL run covers it")
    page = WebUser(app, "city-nanning").login()
    assert page.client.get("/tasks").status_code == 200  # a pooled connection now exists
    _end_every_session(url)
    lost = page.client.get("/tasks")
    assert lost.status_code == 503 and lost.mimetype == "text/html"
    assert "数据库暂时不可用" in lost.get_data(as_text=True) and lost.headers["Retry-After"]
    assert page.client.get("/tasks").status_code == 200  # signed in still, on a new connection

    probe = app.test_client()
    assert probe.get("/healthz").status_code == 200
    _end_every_session(url)
    answers = [probe.get("/healthz") for _ in range(3)]
    assert answers[0].status_code == 503 and answers[0].json["code"] == "database_unavailable"
    assert [a.status_code for a in answers[1:]] == [200, 200]


@pytest.mark.committing
def test_the_health_probe_fails_when_the_data_key_cannot_read_the_stored_data(app: Flask) -> None:
    """A well-formed but wrong GJY_DATA_KEY started and said "ok", while every page showing a person failed."""
    from app.crypto import generate_key

    assert app.test_client().get("/healthz").status_code == 200
    wrong = create_app({**{key: app.config[key] for key in CONFIG_KEYS}, "DATA_KEY": generate_key()})
    try:
        answer = wrong.test_client().get("/healthz")
    finally:
        with wrong.app_context():
            db.session.remove()
            db.engine.dispose()
    assert answer.status_code == 503 and answer.json["code"] == "data_key_unreadable"
