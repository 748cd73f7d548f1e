"""Fixtures: the app on SQLite and (where reachable) PostgreSQL, migrated by Alembic, with demo data.

Most tests share one app per backend (`shared_app`) and run inside a transaction that is rolled back when
they end: every session of the test is bound to one connection whose outer transaction is never
committed, so the app's own commits only release savepoints (SQLAlchemy's "joining a Session into an
external transaction"). A test that needs real commits (several threads, connections, apps or processes on
one database; DDL such as the demo reset or a migration) is marked `@pytest.mark.committing`: it gets a fresh
copy of the template database and fresh apps, as every test used to. Where sharing one connection would make
a rolled-back test behave otherwise than on a database of its own (tests/support/rollback.py), it fails,
saying so.
"""
from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import freezegun
import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.db import unit_of_work
from app.extensions import db
from app.integrations.standin import StandIn
from app.services.deadlines.calendar import forget_calendar
from app.services.demo import seed_demo
from app.services.identity.accounts import get_user_by_username, issue_token
from app.services.procedures.versions import clear_version_caches, deploy_procedures
from tests.support.api import ApiUser
from tests.support.database import (
    checkpoint_sqlite,
    copy_database,
    create_pg_database,
    drop_database,
    drop_pg_database,
    require_postgres,
)
from tests.support.procedure_files import deploy_folder
from tests.support.rollback import SharedConnectionGuard, emit_sqlite_begin
from tests.support.translations import compile_english

ROOT = Path(__file__).resolve().parent.parent
COMMITTING = "committing"
# Seeded and created users sign in with this (werkzeug) method: scrypt, the app's default, costs ~0.1 s a check.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
# SQLAlchemy's default, restored on the session factory after a test bound it to its connection.
DEFAULT_JOIN_TRANSACTION_MODE = "conditional_savepoint"
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS0tLS0tLS0tLS0tLS0tLS0tLS0="  # 32 bytes: ID numbers and phones at rest
GUARD = "tests.shared_connection_guard"  # shared_app.extensions: its SharedConnectionGuard

# A clock frozen by a test or fixture must not reach pytest's own timer (--durations, junit times).
freezegun.configure(extend_ignore_list=["_pytest.timing"])


def pytest_sessionstart(session: pytest.Session) -> None:
    """The English catalogue compiled as `make translations` does, so that a bare pytest reads the current .po
    (by the controller only, under pytest-xdist: the workers must not write the file while others read it)."""
    if not hasattr(session.config, "workerinput"):
        compile_english()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests first: their files hold a few tests of a minute or more each. Under pytest-xdist
    (`make test`: `--dist loadfile --no-loadscope-reorder`) a worker that took one of them last ran it alone
    while the other had nothing left; first, the many short files fill the end instead."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 only: the external government systems are local stand-ins."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise RuntimeError(f"test tried to reach {host}: only 127.0.0.1 is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _config(url: str, tmp: Path) -> dict[str, Any]:
    # No SQLALCHEMY_ENGINE_OPTIONS: the app derives them from the URL, as in production.
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp / "uploads"), "DEMO": True, "WORKER": "off",
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
            "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True, "DATA_KEY": TEST_DATA_KEY,
            # Sign-in codes go to the memory gateway (tests read them there); the verifier is the stand-in
            # on 127.0.0.1; per-IP limits stay on, high enough for a suite that signs in from one address.
            "SMS_GATEWAY": "memory", "VERIFIER_URL": StandIn.shared().url, "VERIFIER_TIMEOUT": 1.0,
            "SIGNIN_IP_LIMIT": "100000 per minute", "REGISTER_IP_LIMIT": "100000 per minute",
            "SMS_PHONE_LIMITS": ((60, 1000), (3600, 10000)),  # tests sign the same users in again and again
            "BPMN_DIR": str(ROOT / "bpmn"), "FORMS_DIR": str(ROOT / "forms"),
            "EXTRA_HANDLER_MODULES": ("tests.support.procedures",)}  # the engine-test procedure's handler


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def template_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Once per session and backend: a database migrated by Alembic, seeded with demo data and procedures."""
    tmp = tmp_path_factory.mktemp("db")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'template.sqlite3'}"
    else:
        require_postgres()
        url = create_pg_database()
    app = create_app(_config(url, tmp))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
            deploy_procedures(ROOT / "bpmn", ROOT / "forms", deployed_by="test")
        db.session.remove()
        db.engine.dispose()
    if request.param == "sqlite":
        checkpoint_sqlite(url)
    yield url
    if request.param == "postgresql":
        drop_pg_database(url)


def _committing(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker(COMMITTING) is not None


def require_committing(request: pytest.FixtureRequest, what: str) -> None:
    """`what` works on a database of the test's own, with real commits: only for committing tests."""
    if not _committing(request):
        pytest.fail(f"{what} needs the test's own database: mark the test @pytest.mark.{COMMITTING}")


@pytest.fixture(scope="session")
def shared_app(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """Once per session and backend: the app the rolled-back tests share, on a copy of the template (the
    committing tests keep copying the template, which PostgreSQL refuses while anyone is connected to it)."""
    tmp = tmp_path_factory.mktemp("shared")
    url = copy_database(template_database, tmp)
    application = create_app(_config(url, tmp))
    with application.app_context():
        if url.startswith("sqlite"):
            emit_sqlite_begin(db.engine)
        application.extensions[GUARD] = SharedConnectionGuard(db.engine)
    yield application
    application.extensions[GUARD].close()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_database(url)


@pytest.fixture
def rolled_back_app(shared_app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The shared app, every session of this test bound to one connection in a transaction rolled back at
    the end. The app's commits release savepoints; its savepoints nest inside; its rollbacks roll back to
    the session's savepoint. The per-process caches are reset first, as a fresh app would have them: the
    ids a rolled-back test used come back (SQLite reuses them), a cache keyed by them must not answer."""
    config = dict(shared_app.config)
    shared_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    clear_version_caches()
    with shared_app.app_context():
        forget_calendar()
        db.session.remove()
        connection = db.engine.connect()
        outer = connection.begin()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    guard: SharedConnectionGuard = shared_app.extensions[GUARD]
    guard.arm(connection)
    try:
        yield shared_app
    finally:
        try:
            with shared_app.app_context():
                db.session.remove()
        finally:
            problems = guard.disarm()
            # The factory itself: scoped_session.configure would look for a session of the (gone) app context.
            db.session.session_factory.configure(bind=None, join_transaction_mode=DEFAULT_JOIN_TRANSACTION_MODE)
            outer.rollback()
            connection.close()
            shared_app.config.clear()
            shared_app.config.update(config)
    if problems:
        pytest.fail("this test behaves otherwise on a database of its own: " + "; ".join(dict.fromkeys(problems))
                    + ". Mark it @pytest.mark.committing.")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the template for one (committing) test."""
    require_committing(request, "database_url")
    url = copy_database(template_database, tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def make_app(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Callable[[], Flask]]:
    """Build a new app on the test's database: a fresh process as far as caches go (a 'restart').
    Committing tests only: apps that see each other's commits need real ones."""
    require_committing(request, "make_app")
    built: list[Flask] = []

    def build() -> Flask:
        clear_version_caches()
        application = create_app(_config(database_url, tmp_path))
        built.append(application)
        return application
    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(request: pytest.FixtureRequest, template_database: str) -> Flask:
    """The app of the test: the shared one inside a rolled-back transaction, or for a committing test a
    fresh app on a fresh copy of the template (the first one `make_app` builds). Both are on the backend
    of `template_database`, named here so that every test using the app runs on each backend."""
    if _committing(request):
        return request.getfixturevalue("make_app")()  # type: ignore[no-any-return]
    return request.getfixturevalue("rolled_back_app")  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def as_user(app: Flask, client: Any) -> Callable[[str], ApiUser]:
    """as_user("city-nanning") -> an API client with that demo user's bearer token."""
    tokens: dict[str, str] = {}

    def make(username: str) -> ApiUser:
        if username not in tokens:
            with app.app_context(), unit_of_work():
                tokens[username] = issue_token(get_user_by_username(username))
        return ApiUser(app, client, username, tokens[username])
    return make


@pytest.fixture
def actor(app: Flask) -> Callable[[str], Any]:
    """actor("ent-nanning") -> the User, for calling services directly (inside app context)."""
    def get(username: str) -> Any:
        return get_user_by_username(username)
    return get


@pytest.fixture
def review_procedure(app: Flask) -> str:
    """Deploy the engine-test procedure `material_review` (see tests/fixtures/procedures)."""
    from tests.support import procedures

    procedures.OUTAGE["remaining"] = 0
    deploy_folder(app, procedures.BPMN_DIR, procedures.FORMS_DIR)
    return "material_review"


@pytest.fixture
def world(app: Flask) -> Iterator[dict[str, Any]]:
    """The hand-built SLA world (tests/support/factories.py), with the clock frozen at its 'now'."""
    from freezegun import freeze_time

    from tests.support.factories import SLA_NOW, build_sla_world

    with app.app_context(), unit_of_work():
        ids = build_sla_world()
    with freeze_time(SLA_NOW):
        yield ids
