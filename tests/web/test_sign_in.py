"""Sign-in = account + password + the SMS code sent to the phone: single use, 5 minutes, 5 wrong entries;
demo users exist only in demo mode; attempts are counted atomically (20 parallel wrong passwords get
exactly 5 checks), limited per IP, and recorded with the client's address behind a trusted proxy."""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app import config
from app.db import unit_of_work
from app.extensions import db
from app.integrations.standin import StandIn
from app.models import SignInCode
from app.services.identity import accounts
from app.services.identity.accounts import create_user, get_user_by_username
from app.services.identity.tokens import issue_token
from tests.support.web import WebUser, code_step, csrf_token, password_step, sent_code


def _home(client: Any) -> Any:
    return client.get("/", follow_redirects=False)


def _signed_in(client: Any) -> bool:
    response = _home(client)
    return not (response.status_code == 302 and "/login" in response.headers["Location"])


def test_the_password_alone_does_not_sign_in_the_code_does(app: Flask) -> None:
    client = app.test_client()
    first = password_step(client, "city-nanning")
    assert first.status_code == 302 and first.headers["Location"] == "/login/code"
    assert not _signed_in(client)
    page = client.get("/login/code").get_data(as_text=True)
    assert "139****0103" in page and "13907710103" not in page  # the phone, masked
    assert code_step(client, "000000" if sent_code(app, "city-nanning") != "000000" else "111111").status_code == 401
    assert code_step(client, sent_code(app, "city-nanning")).status_code == 302
    assert _signed_in(client)


def test_the_code_is_stored_as_a_keyed_hash_only(app: Flask) -> None:
    password_step(app.test_client(), "city-nanning")
    code = sent_code(app, "city-nanning")
    with app.app_context():
        row = db.session.scalars(select(SignInCode).order_by(SignInCode.id.desc()).limit(1)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert (row.expires_at - row.created_at) == timedelta(minutes=5)


def test_demo_mode_shows_the_code_on_the_code_page_and_only_there(app: Flask) -> None:
    client = app.test_client()
    password_step(client, "province")
    assert f"演示验证码：{sent_code(app, 'province')}" in client.get("/login/code").get_data(as_text=True)
    app.config["DEMO"] = False
    with app.app_context(), unit_of_work():
        org_id = get_user_by_username("province").organisation_id
        create_user("prov-real", "真实用户", "Str0ng-Passw0rd", org_id, "450000", ["province_reviewer"],
                    phone="13800138000")
    other = app.test_client()
    password_step(other, "prov-real", "Str0ng-Passw0rd")
    assert "演示验证码" not in other.get("/login/code").get_data(as_text=True)


def test_an_expired_code_is_refused(app: Flask) -> None:
    client = app.test_client()
    with freeze_time("2026-12-01 08:00:00") as clock:
        password_step(client, "city-nanning")
        code = sent_code(app, "city-nanning")
        clock.tick(timedelta(minutes=5, seconds=1))
        refused = code_step(client, code)
    assert refused.status_code == 401 and "验证码已过期" in refused.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_code_is_used_once(app: Flask) -> None:
    client = app.test_client()
    password_step(client, "city-nanning")
    code = sent_code(app, "city-nanning")
    assert code_step(client, code).status_code == 302
    thief = app.test_client()  # another browser that knows the user's password and saw the code
    password_step(thief, "city-nanning")
    reused = code_step(thief, code)
    assert reused.status_code == 401 and not _signed_in(thief)
    with app.app_context(), unit_of_work():
        assert accounts.complete_sign_in(get_user_by_username("city-nanning"), code) in ("code_used", "code_wrong")


def test_five_wrong_codes_spend_the_code(app: Flask) -> None:
    client = app.test_client()
    password_step(client, "city-nanning")
    code = sent_code(app, "city-nanning")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert code_step(client, wrong).status_code == 401
    spent = code_step(client, code)
    assert spent.status_code == 401 and "验证码已使用或已失效" in spent.get_data(as_text=True)


def test_signing_in_starts_a_new_session_keeping_only_the_language(app: Flask) -> None:
    client = app.test_client()
    client.get("/lang/en")
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    password_step(client, "city-nanning")
    code_step(client, sent_code(app, "city-nanning"))
    with client.session_transaction() as current:
        assert "planted" not in current and "signin_pending" not in current
        assert current.permanent
    assert "Sign out" in client.get("/", follow_redirects=True).get_data(as_text=True)  # still in English


def test_demo_users_do_not_exist_outside_demo_mode(app: Flask) -> None:
    """A database once seeded in demo mode, an app that runs without it: the published password and the
    demo users' tokens sign no one in."""
    with app.app_context(), unit_of_work():
        token = issue_token(get_user_by_username("ent-nanning"))
        assert get_user_by_username("ent-nanning").demo
    signed_in = WebUser(app, "city-nanning").login()  # a session from before
    app.config["DEMO"] = False
    refused = password_step(app.test_client(), "ent-nanning")
    assert refused.status_code == 401 and "用户名或密码错误" in refused.get_data(as_text=True)
    assert app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert not _signed_in(signed_in.client)
    app.config["DEMO"] = True
    assert app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_user_without_a_phone_cannot_get_a_code(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        org_id = get_user_by_username("province").organisation_id
        create_user("no-phone", "无手机", "Str0ng-Passw0rd", org_id, "450000", ["province_reviewer"])
    refused = password_step(app.test_client(), "no-phone", "Str0ng-Passw0rd")
    assert refused.status_code == 403 and "未登记手机号" in refused.get_data(as_text=True)


def test_codes_per_phone_are_limited(app: Flask) -> None:
    app.config["SMS_PHONE_LIMITS"] = ((60, 1), (3600, 10))
    client = app.test_client()
    assert password_step(client, "city-nanning").status_code == 302
    resent = client.post("/login/code/resend", data={"csrf_token": csrf_token(client.get("/login/code").get_data(
        as_text=True))}, follow_redirects=True)
    assert "验证码发送过于频繁" in resent.get_data(as_text=True)


def test_sign_in_attempts_are_limited_per_ip(app: Flask) -> None:
    app.config["SIGNIN_IP_LIMIT"] = "3 per minute"
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    client = app.test_client()
    statuses = [password_step(client, f"nobody-{i}", "x", environ_base={"REMOTE_ADDR": address}).status_code
                for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    other = password_step(client, "nobody", "x", environ_base={"REMOTE_ADDR": "198.51.100.251"})
    assert other.status_code == 401  # another address is not limited


def test_the_idle_timeout_defaults_to_thirty_minutes_and_demo_secret_is_random(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "GJY_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GJY_DEMO", "1")
    first = config.from_environment(str(tmp_path / "a"))
    assert first["PERMANENT_SESSION_LIFETIME"] == 30 * 60
    assert first["SECRET_KEY"] != "demo-only-secret" and len(first["SECRET_KEY"]) >= 32
    assert config.from_environment(str(tmp_path / "a"))["SECRET_KEY"] == first["SECRET_KEY"]  # kept
    assert config.from_environment(str(tmp_path / "b"))["SECRET_KEY"] != first["SECRET_KEY"]  # per instance
    assert (tmp_path / "a" / config.DEMO_SECRET_FILE).stat().st_mode & 0o077 == 0
    monkeypatch.delenv("GJY_DEMO")
    assert config.from_environment(str(tmp_path / "c"))["SECRET_KEY"] is None  # outside demo: none


def test_codes_go_through_the_http_gateway_to_the_stand_in(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    stand_in = StandIn.shared()
    app.config.update(SMS_GATEWAY="http", SMS_GATEWAY_URL=f"{stand_in.url}/sms", SMS_GATEWAY_TIMEOUT=1.0)
    client = app.test_client()
    password_step(client, "city-nanning")
    code = stand_in.last_code("13907710103")
    assert code and code_step(client, code).status_code == 302
    stand_in.mode = "timeout"
    try:
        with caplog.at_level("ERROR", logger="app.security"):
            silent = password_step(app.test_client(), "province")
    finally:
        stand_in.mode = "pass"
    assert silent.status_code == 302  # the page offers to send again; the failure is logged, the phone masked
    assert "SMS to 139****0105 not delivered" in caplog.text and "13907710105" not in caplog.text


# Behind a proxy and 20 parallel wrong passwords: tests/web/test_identity_defects.py.


def test_a_code_typed_in_full_width_digits_is_the_code(app: Flask) -> None:
    """A Chinese IME in full-width mode types １０８７３６: it was 验证码错误, and counted against the code."""
    client = app.test_client()
    password_step(client, "city-nanning")
    code = sent_code(app, "city-nanning")
    assert code_step(client, code.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})).status_code == 302
    assert _signed_in(client)
