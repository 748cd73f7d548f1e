"""The identity defects of issue 21, each written against what both 99d1e23 and this branch offer (the same
HTTP and service calls): every test here fails on 99d1e23 and passes now (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import config, create_app
from app.db import unit_of_work
from app.extensions import db
from app.models.identity import LoginEvent
from app.services.demo import DEMO_PASSWORD
from app.services.identity import accounts
from tests.conftest import _config
from tests.support.web import csrf_token


def _post_login(client: Any, username: str, password: str, **kw: Any) -> Any:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kw)


def test_demo_users_do_not_sign_in_outside_demo_mode(app: Flask) -> None:
    app.config["DEMO"] = False
    assert _post_login(app.test_client(), "ent-nanning", DEMO_PASSWORD).status_code == 401


def test_demo_secret_key_is_not_a_fixed_string(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("GJY_DEMO", "1")
    assert config.from_environment(str(tmp_path))["SECRET_KEY"] != "demo-only-secret"


def test_unbounded_token_days_are_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(Exception), unit_of_work():  # noqa: B017
        accounts.issue_token(accounts.get_user_by_username("ent-nanning"), days=100000)


def test_a_weak_password_is_refused(app: Flask) -> None:
    with app.app_context():
        org_id = accounts.get_user_by_username("province").organisation_id
        with pytest.raises(Exception), unit_of_work():  # noqa: B017
            accounts.create_user("weak-one", "弱密码", "1", org_id, "450000", ["province_reviewer"])


def test_sign_in_refuses_a_backslash_next(app: Flask) -> None:
    response = _post_login(app.test_client(), "ent-nanning", DEMO_PASSWORD, query_string={"next": "/\\evil.com"})
    assert "evil" not in response.headers.get("Location", "")


@pytest.mark.committing
def test_behind_a_trusted_proxy_the_client_address_is_recorded(database_url: str, tmp_path: Path) -> None:
    app = create_app({**_config(database_url, tmp_path), "TRUSTED_PROXIES": 1})
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "city-nanning", "password": "wrong", "csrf_token": token},
                headers={"X-Forwarded-For": "203.0.113.9"})
    with app.app_context():
        event = db.session.scalars(select(LoginEvent).order_by(LoginEvent.id.desc()).limit(1)).one()
        assert event.source_ip == "203.0.113.9"
        db.session.remove()
        db.engine.dispose()


@pytest.mark.committing
def test_twenty_parallel_wrong_passwords_get_exactly_five_checks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(p) or real(h, p))
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(c.get("/login").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def attempt(client: Any, token: str) -> None:
        barrier.wait()
        statuses.append(client.post("/login", data={"username": "city-nanning", "password": "wrong",
                                                     "csrf_token": token}).status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(checked) == 5
    assert sorted(statuses) == [401] * 5 + [429] * 15
