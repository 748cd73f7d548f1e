"""A phone's SMS limits (1 a minute, 10 an hour) count sign-in codes and notices apart: the main operator who
registers with the invitation just texted to him signs in at once (his code was refused: 验证码发送过于频繁),
while codes and invitations each stay limited."""
from __future__ import annotations

import pytest
from flask import Flask

from app.integrations.sms import MemorySmsGateway
from app.integrations.standin import StandIn
from tests.support.web import csrf_token, password_step
from tests.web.test_registration_and_operators import PASSWORD, _authorise, _enterprise_form, _post

PHONE = "13800771234"  # the phone _authorise gives the main operator


@pytest.fixture
def default_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "SMS_PHONE_LIMITS", ((60, 1), (3600, 10)))  # the defaults


def _registered_main_operator(app: Flask, standin: StandIn) -> None:
    standin.mode = "pass"
    client = app.test_client()
    assert _post(client, "/register/enterprise", _enterprise_form()).status_code == 302
    invitation = _authorise(client, PHONE)  # texts the invitation to his phone
    registered = _post(client, invitation, {"username": "lijiang-main", "password": PASSWORD, "password2": PASSWORD})
    assert registered.status_code == 302


def test_the_main_operator_signs_in_right_after_his_invitation(app: Flask, default_limits: None) -> None:
    _registered_main_operator(app, StandIn.shared())
    invitation_text = MemorySmsGateway.shared().last_text(PHONE)
    client = app.test_client()
    sent = password_step(client, "lijiang-main", PASSWORD)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/login/code"), sent.get_data(as_text=True)
    code_text = MemorySmsGateway.shared().last_text(PHONE)
    assert code_text != invitation_text and "登录验证码" in (code_text or "")
    # The codes keep their own limit: a second code within the minute is refused, and none is sent.
    resent = client.post("/login/code/resend", data={"csrf_token": csrf_token(client.get("/login/code").get_data(
        as_text=True))}, follow_redirects=True)
    assert "验证码发送过于频繁" in resent.get_data(as_text=True)
    assert MemorySmsGateway.shared().last_text(PHONE) == code_text
