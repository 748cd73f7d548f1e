"""A form sent from a page left open past the idle timeout: the session (its form token with it) has ended, so
the token is refused; the user is sent to sign in, told that the input was not saved, and back to the form's
page, instead of a 400 page that lost the input and said to go back and refresh."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case
from tests.support.web import WebUser, csrf_token

START = "/cases/start/data_upgrade_b_to_a"
NOT_SAVED = "登录已失效，刚才提交的内容未保存"
EXPIRED_PAGE = "页面已过期或表单令牌无效"
IDLE = timedelta(minutes=31)  # past the 30 idle minutes the tests run with


def _cases(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Case)) or 0)


def _open_form(app: Flask, clock: Any) -> WebUser:
    """ent-nanning with the start form open: the token is the one in its page."""
    ent = WebUser(app, "ent-nanning").login()
    ent.token = csrf_token(ent.html(START))
    clock.tick(IDLE)
    return ent


def test_a_form_sent_after_the_session_idled_out_leads_to_sign_in_and_back_to_its_page(app: Flask) -> None:
    before = _cases(app)
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = _open_form(app, clock)
        sent = ent.post(START, {"contact_name": "黄工", "reason": "申请提升数据等级"},
                        headers={"Referer": f"http://localhost{START}"})
        assert sent.status_code == 302
        assert sent.headers["Location"] == "/login?next=%2Fcases%2Fstart%2Fdata_upgrade_b_to_a"
        login = ent.get("/login").get_data(as_text=True)
        assert NOT_SAVED in login and EXPIRED_PAGE not in login
    assert _cases(app) == before  # nothing was started


def test_a_form_from_another_site_after_idling_out_goes_to_sign_in_without_a_way_back(app: Flask) -> None:
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = _open_form(app, clock)
        sent = ent.post(START, {}, headers={"Referer": "https://elsewhere.example/form"})
        assert sent.status_code == 302 and sent.headers["Location"] == "/login"


def test_signing_out_after_idling_out_goes_to_the_sign_in_page(app: Flask) -> None:
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = _open_form(app, clock)
        out = ent.post("/logout", headers={"Referer": f"http://localhost{START}"})
        assert out.status_code == 302 and out.headers["Location"] == "/login"
        assert NOT_SAVED not in ent.get("/login").get_data(as_text=True)


def test_a_background_request_after_idling_out_keeps_its_json_refusal(app: Flask) -> None:
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = _open_form(app, clock)
        answer = ent.client.post("/notifications/read", json={}, headers={"X-CSRFToken": ent.token})
        assert answer.status_code == 400
        assert answer.get_json() == {"code": "csrf_failed", "message": EXPIRED_PAGE + "，请返回上一页刷新后重试"}


def test_a_refused_token_of_a_signed_in_user_or_of_the_sign_in_form_keeps_the_refusal_page(app: Flask) -> None:
    with freeze_time("2026-12-01 08:00:00") as clock:
        ent = WebUser(app, "ent-nanning").login()
        wrong = ent.post(START, {"csrf_token": "from-an-older-page"}, csrf=False)
        assert wrong.status_code == 400 and EXPIRED_PAGE in wrong.get_data(as_text=True)

        visitor = app.test_client()  # the sign-in page left open: no sign-in to ask for, the page says why
        token = csrf_token(visitor.get("/login").get_data(as_text=True))
        clock.tick(IDLE)
        late = visitor.post("/login", data={"username": "ent-nanning", "password": "x", "csrf_token": token})
        assert late.status_code == 400 and EXPIRED_PAGE in late.get_data(as_text=True)
