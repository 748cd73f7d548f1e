"""Security headers on every response; page sessions end at sign-out (also copied cookies), with a new
password and after 30 idle minutes, and a late answer cannot write an older session back; the cookie is Secure
outside demo mode; sign-ins are throttled."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app import config
from app.db import unit_of_work
from app.extensions import db
from app.models.identity import LoginEvent
from app.services.demo import DEMO_PASSWORD
from app.services.identity.accounts import get_user_by_username, set_password
from app.sessions import ACTIVITY_COOKIE
from tests.support.api import ApiUser
from tests.support.web import WebUser, code_step, csrf_token, password_step, sent_code, sign_in, store_cookies

SESSION_COOKIE = "session"


def _signed_in(client: Any) -> bool:
    response = client.get("/")  # officials are sent on to their inbox
    assert response.status_code in (200, 302)
    return not (response.status_code == 302 and "/login" in response.headers["Location"])


def _client_with_cookie(app: Flask, value: str) -> Any:
    """Another client (another browser, or a request sent earlier) holding this session cookie."""
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, value)
    return client


def _copy_of_cookie(app: Flask, user: WebUser) -> Any:
    cookie = user.client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return _client_with_cookie(app, cookie.value)


# -- headers --------------------------------------------------------------------------------------------------
def test_pages_api_and_errors_carry_the_security_headers(web: Callable[[str], WebUser], app: Flask,
                                                        as_user: Callable[[str], ApiUser]) -> None:
    ent = web("ent-nanning")
    responses = {"page": ent.get("/"), "login": app.test_client().get("/login"),
                 "api": as_user("ent-nanning").get("/api/v1/cases"), "missing": ent.get("/no-such-page"),
                 "static": ent.get("/static/js/forms.js")}
    for name, response in responses.items():
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Referrer-Policy"] == "same-origin", name
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "script-src 'self';" in csp, name
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0], name
    for name in ("page", "login", "api", "missing"):
        assert responses[name].headers["Cache-Control"] == "no-store", name
    assert "no-store" not in responses["static"].headers.get("Cache-Control", "")


def test_no_page_runs_inline_script() -> None:
    """The CSP allows scripts from the app only: a template must not carry inline script or handlers."""
    import re

    from tests.conftest import ROOT

    inline = re.compile(r"<script(?![^>]*(\bsrc=|type=\"application/json\"))[^>]*>|\son[a-z]+=\"|javascript:", re.I)
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app" / "web" / "templates").rglob("*.html")
                 if inline.search(p.read_text("utf-8"))]
    assert offenders == []


def test_a_download_is_not_stored_and_not_sniffed(web: Callable[[str], WebUser],
                                                  as_user: Callable[[str], ApiUser]) -> None:
    api = as_user("ent-nanning")
    case_id = api.start("personnel_unlock").json["id"]
    attachment = api.upload(case_id, filename="申请表.pdf").json
    response = web("ent-nanning").get(f"/cases/{case_id}/attachments/{attachment['id']}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")


# -- sessions -------------------------------------------------------------------------------------------------
def test_sign_out_ends_the_session_and_every_copy_of_its_cookie(web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    thief = _copy_of_cookie(app, ent)
    assert _signed_in(thief)  # the copy works while the user is signed in
    assert ent.post("/logout").status_code == 302
    assert not _signed_in(ent.client)
    assert not _signed_in(thief)  # a cookie captured before the sign-out no longer signs in
    again = web("ent-nanning")  # signing in again works
    assert _signed_in(again.client) and not _signed_in(thief)
    with app.app_context():
        outcomes = list(db.session.scalars(select(LoginEvent.outcome).where(LoginEvent.username == "ent-nanning")
                                           .order_by(LoginEvent.id)))
    assert outcomes == ["password_ok", "success", "logout", "password_ok", "success"]


def test_a_new_password_ends_the_sessions_signed_in_before(web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    other = web("city-nanning")
    with app.app_context(), unit_of_work():
        set_password(get_user_by_username("ent-nanning"), "Neues-Passw0rd!")
    assert not _signed_in(ent.client)
    assert _signed_in(other.client)  # other users keep theirs


def test_a_session_idle_for_thirty_minutes_ends(app: Flask) -> None:
    assert app.permanent_session_lifetime == timedelta(minutes=30)
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = WebUser(app, "ent-nanning").login()
        clock.tick(timedelta(minutes=28))
        assert _signed_in(ent.client)  # each request renews the session...
        clock.tick(timedelta(minutes=28))
        assert _signed_in(ent.client)
        clock.tick(timedelta(minutes=31))
        assert not _signed_in(ent.client)  # ...which ends after 30 idle minutes


def test_an_idle_session_is_not_revived_by_the_activity_cookie_of_another_visit(app: Flask) -> None:
    """The activity cookie said only "active at <moment>": one an anonymous GET /login hands out, sent with the
    session cookie of a user who walked away from a shared computer, signed that user in again."""
    with freeze_time("2026-12-01 08:00:00") as clock:
        victim = WebUser(app, "supervisor").login()
        stolen = victim.client.get_cookie(SESSION_COOKIE)
        assert stolen is not None
        clock.tick(timedelta(minutes=31))
        stranger = app.test_client()
        assert stranger.get("/login").status_code == 200
        fresh = stranger.get_cookie(ACTIVITY_COOKIE)
        assert fresh is not None
        attacker = _client_with_cookie(app, stolen.value)
        attacker.set_cookie(ACTIVITY_COOKIE, fresh.value)
        assert not _signed_in(attacker)


BACKGROUND = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}  # what a browser's fetch() sends


def _answer_to_a_request_sent_with(app: Flask, cookie: str, path: str = "/notifications") -> Any:
    """The answer to a request the browser sent with the session cookie it had then (a page's background
    request: the form editor's preview as the user types, a second tab), answered only now."""
    return _client_with_cookie(app, cookie).get(path, headers=BACKGROUND)


def test_an_answer_that_comes_back_late_does_not_undo_the_message_of_an_action_taken_meanwhile(
        web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    sent_with = ent.client.get_cookie(SESSION_COOKIE)
    assert sent_with is not None
    started = ent.post("/cases/start/personnel_unlock", {})  # 办件已创建 is shown on the page it leads to
    assert started.status_code == 302
    late = _answer_to_a_request_sent_with(app, sent_with.value)
    assert late.status_code == 200
    store_cookies(ent.client, late)  # the browser keeps what that answer sets
    assert "办件已创建，请填写申请" in ent.html(started.headers["Location"])


def test_an_answer_that_comes_back_late_does_not_undo_a_sign_in_made_meanwhile(
        web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    sent_with = ent.client.get_cookie(SESSION_COOKIE)
    assert sent_with is not None
    assert ent.post("/logout").status_code == 302  # in another tab: sign out, sign in as the 柳州 operator
    sign_in(app, ent.client, "ent-liuzhou")
    store_cookies(ent.client, _answer_to_a_request_sent_with(app, sent_with.value))
    assert _signed_in(ent.client)
    assert "龙城建筑·经办人" in ent.html("/")


def test_an_answer_that_leaves_the_session_as_it_was_renews_it_without_writing_it_again(
        web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    answer = ent.get("/notifications")
    assert answer.status_code == 200
    names = [header.split("=", 1)[0] for header in answer.headers.getlist("Set-Cookie")]
    assert names == [ACTIVITY_COOKIE]  # only when the session was last used; its content stays as it is
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith(ACTIVITY_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=1800" in cookie
    # a page's style sheets and scripts set no cookie: a response with one is not kept by a shared cache
    asset = ent.get("/static/css/app.css")
    assert asset.status_code == 200 and asset.headers.getlist("Set-Cookie") == []


def test_a_background_request_without_a_session_is_told_to_sign_in_and_changes_no_cookie(app: Flask) -> None:
    visitor = app.test_client()
    page = visitor.get("/notifications")  # a navigation: the sign-in page, with a message, and back after it
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2Fnotifications"
    assert "请先登录" in visitor.get("/login").get_data(as_text=True)
    fetch = app.test_client().get("/notifications", headers=BACKGROUND)
    assert fetch.status_code == 401
    assert fetch.get_json() == {"code": "not_authenticated", "message": "请先登录"}
    assert fetch.headers.getlist("Set-Cookie") == []
    english = app.test_client()
    english.set_cookie("gjy_lang", "en")
    assert english.get("/notifications", headers=BACKGROUND).get_json()["message"] == "Please sign in first"


def test_a_background_request_with_a_refused_form_token_is_answered_in_json(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")  # e.g. the form editor saving after the page outlived its session
    answer = ent.client.post("/notifications/read", json={}, headers={"X-CSRFToken": "from-an-older-page"})
    assert answer.status_code == 400
    assert answer.get_json() == {"code": "csrf_failed", "message": "页面已过期或表单令牌无效，请返回上一页刷新后重试"}
    page = ent.post("/notifications/read", csrf=False)  # a form sent by the browser: a page
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "页面已过期或表单令牌无效" in page.get_data(as_text=True)


def test_a_refused_background_request_is_answered_in_json_and_a_navigation_with_a_page(
        web: Callable[[str], WebUser]) -> None:
    """The editors save with fetch; a draft deleted meanwhile (another analyst) was answered with the HTML error
    page, which the editor showed as its status text "NOT FOUND"."""
    analyst = web("analyst")
    gone = "/workspace/personnel_unlock/drafts/999999/files"
    saved = analyst.client.post(gone, json={"files": {}}, headers={"X-CSRFToken": analyst.token})
    assert saved.status_code == 404 and saved.is_json
    assert saved.get_json()["message"] and saved.get_json()["code"] != "not_found"  # the refusal's own
    no_page = analyst.client.get("/no-such-page", headers=BACKGROUND)
    assert no_page.status_code == 404
    assert no_page.get_json() == {"code": "not_found", "message": "未找到请求的页面或资源"}
    page = analyst.client.get("/no-such-page")  # a navigation: the page
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_session_in_use_does_not_end_however_long_it_lasts(app: Flask) -> None:
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = WebUser(app, "ent-nanning").login()
        for _ in range(26 * 3):  # a request every 20 minutes for 26 hours, none of which changes the session
            clock.tick(timedelta(minutes=20))
            assert _signed_in(ent.client)
        clock.tick(timedelta(minutes=31))
        assert not _signed_in(ent.client)


def test_the_session_cookie_is_secure_outside_demo_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Any,
                                                        app: Flask) -> None:
    for name in ("GJY_DEMO", "GJY_SECURE_COOKIES", "GJY_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    production = config.from_environment(str(tmp_path))
    assert production["SESSION_COOKIE_SECURE"] is True and production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["PERMANENT_SESSION_LIFETIME"] == 30 * 60
    monkeypatch.setenv("GJY_DEMO", "1")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("GJY_SECURE_COOKIES", "1")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True
    monkeypatch.delenv("GJY_DEMO")
    monkeypatch.setenv("GJY_SECURE_COOKIES", "0")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is False

    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    assert password_step(client, "ent-nanning").status_code == 302
    response = code_step(client, sent_code(app, "ent-nanning"))
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{SESSION_COOKIE}="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


# -- sign-in throttling ---------------------------------------------------------------------------------------
def _attempt(client: Any, username: str, password: str) -> Any:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_five_failures_lock_the_user_name_for_a_while(app: Flask) -> None:
    client = app.test_client()
    with freeze_time("2026-12-01 08:00:00") as clock:
        for _ in range(5):
            assert _attempt(client, "ent-nanning", "wrong").status_code == 401
            clock.tick(timedelta(minutes=1))
        locked = _attempt(client, "ent-nanning", DEMO_PASSWORD)  # the right password does not help now
        assert locked.status_code == 429
        assert "账号已暂时锁定，请 10 分钟后再试" in locked.get_data(as_text=True)  # the first failure + 15 min
        assert _attempt(app.test_client(), "city-nanning", DEMO_PASSWORD).status_code == 302  # others are not locked
        clock.tick(timedelta(minutes=11))  # the first failures are over 15 minutes old
        assert _attempt(client, "ent-nanning", DEMO_PASSWORD).status_code == 302
    with app.app_context():
        events = list(db.session.scalars(select(LoginEvent).where(LoginEvent.username == "ent-nanning")
                                         .order_by(LoginEvent.id)))
    assert [e.outcome for e in events] == ["failure"] * 5 + ["locked", "password_ok"]
    user_id = events[0].user_id
    assert user_id is not None and all(e.user_id == user_id and e.source_ip == "127.0.0.1" for e in events[:5])


def test_an_unknown_user_name_is_locked_and_refused_alike(app: Flask) -> None:
    client = app.test_client()
    with freeze_time("2026-12-01 08:00:00"):
        first = _attempt(client, "no-such-user", "wrong")
        assert first.status_code == 401 and "用户名或密码错误" in first.get_data(as_text=True)
        for _ in range(4):
            _attempt(client, "no-such-user", "wrong")
        assert _attempt(client, "no-such-user", "wrong").status_code == 429


def test_an_unknown_user_name_costs_a_password_check(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """No early return: the time of a refusal does not tell whether the account exists."""
    from app.services.identity import accounts

    checked: list[str] = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    client = app.test_client()
    assert _attempt(client, "no-such-user", "wrong").status_code == 401
    assert _attempt(client, "ent-nanning", "wrong").status_code == 401
    assert len(checked) == 2 and checked[0].split("$")[0] == checked[1].split("$")[0]  # same method and cost


def test_sign_ins_are_logged_masked_without_the_password(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    client = app.test_client()
    with caplog.at_level("INFO", logger="app.security"):
        _attempt(client, "13912345678", "s3cret-Passw0rd")
        _attempt(client, "ent-nanning", DEMO_PASSWORD)
    text = caplog.text
    assert "sign-in failed (unknown user): 139****5678" in text and "13912345678" not in text
    assert "sign-in password accepted: ent-nanning" in text
    assert "s3cret" not in text and DEMO_PASSWORD not in text


def test_a_form_sent_after_signing_out_elsewhere_says_it_was_not_saved_and_leads_back_to_its_page(
        web: Callable[[str], WebUser], as_user: Any) -> None:
    """Signed out in another tab, a comment sent from the case page went to the sign-in page with 请先登录 and,
    after signing in, to the form's POST-only URL: a 405 page, and nothing said about the lost text."""
    from tests.api.test_case_lifecycle import start_and_submit

    case_id, _ = start_and_submit(as_user("ent-nanning"))
    ent = web("ent-nanning")
    assert ent.get(f"/cases/{case_id}").status_code == 200
    assert ent.post("/logout").status_code == 302  # the other tab
    sent = ent.post(f"/cases/{case_id}/comments", {"comment": "补充说明"},
                    headers={"Referer": f"http://localhost/cases/{case_id}"})
    assert sent.status_code == 302 and sent.headers["Location"] == f"/login?next=%2Fcases%2F{case_id}"
    assert "登录已失效，刚才提交的内容未保存" in ent.get("/login").get_data(as_text=True)


def test_the_sign_in_request_reads_in_english_on_the_english_pages(app: Flask) -> None:
    visitor = app.test_client()
    visitor.get("/lang/en")
    assert visitor.get("/notifications").status_code == 302
    page = visitor.get("/login").get_data(as_text=True)
    assert "Please sign in first" in page and "请先登录" not in page
