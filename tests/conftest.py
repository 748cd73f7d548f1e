"""Fixtures: the app on SQLite and (where reachable) PostgreSQL, migrated by Alembic, with demo data."""
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
from app.engine import clear_definition_cache
from app.extensions import db
from app.services.demo import seed_demo
from app.services.identity.accounts import get_user_by_username, issue_token
from app.services.procedures.versions import deploy_procedures
from tests.support.api import ApiUser
from tests.support.database import (
    checkpoint_sqlite,
    copy_database,
    create_pg_database,
    drop_database,
    drop_pg_database,
    require_postgres,
)

ROOT = Path(__file__).resolve().parent.parent
# Seeded and created users sign in with this (werkzeug) method: scrypt, the app's default, costs ~0.1 s a check.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"

# A clock frozen by a test or fixture must not reach pytest's own timer (--durations, junit times).
freezegun.configure(extend_ignore_list=["_pytest.timing"])


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
            "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True,
            "BPMN_DIR": str(ROOT / "bpmn"), "FORMS_DIR": str(ROOT / "forms")}


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


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the template for one test."""
    url = copy_database(template_database, tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Callable[[], Flask]:
    """Build a new app on the test's database: a fresh process as far as caches go (a 'restart')."""
    built: list[Flask] = []

    def build() -> Flask:
        clear_definition_cache()
        application = create_app(_config(database_url, tmp_path))
        built.append(application)
        return application
    yield build  # type: ignore[misc]
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[[], Flask]) -> Flask:
    return make_app()


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
    with app.app_context(), unit_of_work():
        deploy_procedures(procedures.BPMN_DIR, procedures.FORMS_DIR, deployed_by="test")
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
