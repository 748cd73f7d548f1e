"""API tokens: scoped (reads need read, changes need write, one table for every operation), expiring
within 365 days, revocable by the owner and by an admin of the owner's region (pages and API), stored
hashed, their last use recorded."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from app.api.scopes import OPERATION_SCOPES
from app.db import unit_of_work, utcnow
from app.extensions import db
from app.models import AccountChange, ApiToken, AuditEntry
from app.services.identity.accounts import get_user_by_username
from app.services.identity.tokens import InvalidTokenRequest, issue_token, user_for_token
from tests.support.api import ApiUser
from tests.support.queries import count_statements
from tests.support.web import WebUser, csrf_token


def _token(app: Flask, username: str, scopes: tuple[str, ...] = ("read", "write"), days: int = 30) -> str:
    with app.app_context(), unit_of_work():
        return issue_token(get_user_by_username(username), days=days, scopes=scopes)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_api_operation_names_its_scope(app: Flask) -> None:
    operations = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api_")
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert operations - set(OPERATION_SCOPES) == set()
    assert all(scope == "read" for (_, method), scope in OPERATION_SCOPES.items() if method == "GET")


@pytest.mark.parametrize("days", [0, 366, 100000])
def test_a_token_lifetime_is_bounded(app: Flask, days: int) -> None:
    with app.app_context(), pytest.raises(InvalidTokenRequest), unit_of_work():
        issue_token(get_user_by_username("ent-nanning"), days=days)


def test_the_cli_refuses_unbounded_days(app: Flask) -> None:
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "token", "ent-nanning", "--days", "100000"])
    assert refused.exit_code != 0 and "100000" in refused.output
    issued = runner.invoke(args=["users", "token", "ent-nanning", "--days", "365", "--scope", "read"])
    assert issued.exit_code == 0, issued.output
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == hashlib.sha256(
            issued.output.strip().splitlines()[-1].encode()).hexdigest()))
    assert row is not None and row.scopes == "read"


def test_a_read_token_reads_and_cannot_change(app: Flask, client: Any) -> None:
    token = _token(app, "ent-nanning", ("read",))
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200
    refused = client.post("/api/v1/cases", json={"procedure": "personnel_unlock", "data": {}}, headers=_bearer(token))
    assert refused.status_code == 403 and refused.json["code"] == "token_scope_missing"
    write_only = _token(app, "ent-nanning", ("write",))
    assert client.get("/api/v1/cases", headers=_bearer(write_only)).status_code == 403


def test_tokens_are_listed_created_and_revoked_through_the_api(app: Flask, client: Any) -> None:
    token = _token(app, "ent-nanning")
    created = client.post("/api/v1/tokens", json={"name": "数据交换", "scopes": ["read"], "days": 30},
                          headers=_bearer(token))
    assert created.status_code == 201, created.json
    body = created.json
    assert body["scopes"] == ["read"] and body["name"] == "数据交换" and body["token"]
    listed = client.get("/api/v1/tokens", headers=_bearer(token)).json["items"]
    assert {t["id"] for t in listed} >= {body["id"]} and all("token" not in t for t in listed)
    too_long = client.post("/api/v1/tokens", json={"scopes": ["read"], "days": 100000}, headers=_bearer(token))
    assert too_long.status_code == 422
    assert client.get("/api/v1/cases", headers=_bearer(body["token"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=_bearer(token)).status_code == 204
    assert client.get("/api/v1/cases", headers=_bearer(body["token"])).status_code == 401
    with app.app_context():
        actions = set(db.session.scalars(select(AccountChange.action)))
        row = db.session.get(ApiToken, body["id"])
        assert row is not None and row.token_sha256 != body["token"] and row.revoked_at is not None
        assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"
    assert {"token_issued", "token_revoked"} <= actions


def test_another_enterprise_cannot_revoke_a_token_an_admin_can(app: Flask, client: Any,
                                                               as_user: Callable[[str], ApiUser]) -> None:
    token = _token(app, "ent-nanning")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(
            ApiToken.token_sha256 == hashlib.sha256(token.encode()).hexdigest()))
    assert as_user("ent-liuzhou").client.delete(f"/api/v1/tokens/{token_id}",
                                                headers=as_user("ent-liuzhou").headers).status_code == 404
    admin = as_user("admin")
    assert any(t["id"] == token_id for t in admin.get("/api/v1/tokens?all=true").json["items"])
    assert admin.client.delete(f"/api/v1/tokens/{token_id}", headers=admin.headers).status_code == 204
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 401
    assert as_user("ent-liuzhou").get("/api/v1/tokens?all=true").status_code == 403


def test_a_user_creates_and_revokes_his_token_in_the_pages(app: Flask) -> None:
    page = WebUser(app, "ent-nanning").login()
    html = page.html("/account/tokens")
    created = page.post("/account/tokens", {"name": "脚本", "days": "30", "scopes": ["read"]})
    text = created.get_data(as_text=True)
    assert created.status_code == 200 and 'data-testid="token-value"' in text
    refused = page.post("/account/tokens", {"name": "太久", "days": "100000", "scopes": ["read"]})
    assert refused.status_code == 422 and "令牌有效期须为 1–365 天" in refused.get_data(as_text=True)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id).order_by(ApiToken.id.desc()).limit(1)).one()
    assert page.post(f"/tokens/{token_id}/revoke").status_code == 302
    assert "已吊销" in page.html("/account/tokens") and csrf_token(html)
    other = WebUser(app, "ent-liuzhou").login()
    assert other.post(f"/tokens/{token_id}/revoke").status_code == 404


def test_a_token_is_checked_in_one_statement_and_a_revoked_or_expired_one_is_refused(app: Flask,
                                                                                   client: Any) -> None:
    token = _token(app, "ent-nanning")
    assert client.get("/api/v1/cases", headers=_bearer(token)).status_code == 200  # its last use noted
    with count_statements(app) as seen:
        assert client.get("/api/v1/tasks?view=mine", headers=_bearer(token)).status_code == 200
    assert sum("api_tokens" in statement for statement in seen) == 1
    digest = hashlib.sha256(token.encode()).hexdigest()
    for change in ({"expires_at": utcnow() - timedelta(seconds=1)}, {"revoked": True}):
        with app.app_context(), unit_of_work():
            db.session.execute(update(ApiToken).where(ApiToken.token_sha256 == digest).values(**change))
        refused = client.get("/api/v1/tasks?view=mine", headers=_bearer(token))
        assert refused.status_code == 401 and refused.json["code"] == "token_invalid"
        with app.app_context(), unit_of_work():
            db.session.execute(update(ApiToken).where(ApiToken.token_sha256 == digest)
                               .values(expires_at=utcnow() + timedelta(days=1), revoked=False))


def test_a_token_lookup_sees_what_the_session_holds_unflushed(app: Flask) -> None:
    """The lookup reads on the session's connection: a revocation pending in the session counts already."""
    token = _token(app, "ent-nanning")
    with app.test_request_context(), unit_of_work():
        assert user_for_token(token) is not None
        row = db.session.scalar(select(ApiToken).where(
            ApiToken.token_sha256 == hashlib.sha256(token.encode()).hexdigest()))
        assert row is not None
        row.revoked = True
        assert user_for_token(token) is None


def test_a_new_password_or_an_admin_s_reset_revokes_the_tokens_made_under_the_old_one(app: Flask,
                                                                                      client: Any) -> None:
    """Someone who learnt a password could make a 365-day token with it; changing the password (or an admin
    resetting a misused account's) left that token working."""
    own, other = _token(app, "owner-nanning"), _token(app, "city-liuzhou")
    page = WebUser(app, "owner-nanning").login()
    changed = page.post("/account/password", {"current": "Demo-Passw0rd!", "password": "Neu-Passw0rt!2026",
                                              "password2": "Neu-Passw0rt!2026"})
    assert changed.status_code == 302
    assert "原密码下创建的 1 个访问令牌已吊销" in page.html("/")
    assert client.get("/api/v1/cases", headers=_bearer(own)).status_code == 401

    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 200
    admin = WebUser(app, "admin").login()
    with app.app_context():
        city_liuzhou = get_user_by_username("city-liuzhou").id
    reset = admin.post(f"/admin/accounts/{city_liuzhou}/reset-password")
    assert reset.status_code == 200
    assert client.get("/api/v1/tasks", headers=_bearer(other)).status_code == 401
    with app.app_context():
        change = db.session.scalars(select(AccountChange).where(AccountChange.action == "password_reset")).one()
        assert change.details["revoked_tokens"] == 1
    assert "1 个访问令牌已吊销" in admin.html(f"/admin/accounts/{city_liuzhou}")  # in its change log


def test_the_cli_refuses_a_demo_users_token_outside_demo_mode(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """It printed a token that every request then refused (a demo account works only in demo mode)."""
    def tokens() -> int:
        with app.app_context():
            user_id = get_user_by_username("ent-nanning").id
            return len(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all())
    before = tokens()
    monkeypatch.setitem(app.config, "DEMO", False)
    refused = app.test_cli_runner().invoke(args=["users", "token", "ent-nanning"])
    assert refused.exit_code == 1
    assert "演示模式" in refused.output and "Traceback" not in refused.output
    assert tokens() == before


def test_a_refused_request_still_records_the_token_s_use(app: Flask, client: Any) -> None:
    """Who used a token matters most when its requests are refused (probing other enterprises' cases): the
    refusal is rolled back, the use is not."""
    token = _token(app, "ent-nanning")
    refused = client.get("/api/v1/cases/999999999", headers=_bearer(token))
    assert refused.status_code == 404
    invalid = client.post("/api/v1/cases", json={"procedure": "no_such_procedure", "data": {}}, headers=_bearer(token))
    assert invalid.status_code in (400, 404, 422)
    with app.app_context():
        row = db.session.scalars(select(ApiToken).where(
            ApiToken.token_sha256 == hashlib.sha256(token.encode()).hexdigest())).one()
        assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"
        uses = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "token.used",
                                                           AuditEntry.object_id == str(row.id))).all()
        assert len(uses) == 1
