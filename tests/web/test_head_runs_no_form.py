"""Only a POST runs a page's form. Flask answers HEAD with the GET view, and CSRF and the per-IP limits
cover POST only: a HEAD with a form body checked passwords and sent sign-in codes (`curl -X HEAD --data
'username=...&password=...' /login`) and created enterprise registrations, each a call to the verifier, with
neither token nor limit. A HEAD gets the page's headers and does nothing else."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.integrations.sms import MemorySmsGateway
from app.integrations.standin import StandIn
from app.models import EnterpriseRegistration, User
from app.services.demo import DEMO_PASSWORD, credit_code, id_number
from tests.support.web import WebUser, password_step, phone_of, sent_code

NEW_PASSWORD = "Head-Passw0rd-9"


def _head(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.open(path, method="HEAD", data=data)


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_head_with_the_sign_in_form_checks_no_password_and_sends_no_code(app: Flask) -> None:
    phone = phone_of(app, "analyst")
    before = MemorySmsGateway.shared().last_text(phone)
    client = app.test_client()
    answer = _head(client, "/login", {"username": "analyst", "password": DEMO_PASSWORD})
    assert answer.status_code == 200 and answer.get_data() == b""  # the page's headers only
    assert MemorySmsGateway.shared().last_text(phone) == before  # no code sent
    assert client.get("/login/code").headers["Location"].endswith("/login")  # no sign-in pending


def test_a_head_with_the_code_form_signs_no_one_in(app: Flask) -> None:
    client = app.test_client()
    password_step(client, "analyst")
    assert _head(client, "/login/code", {"code": sent_code(app, "analyst")}).status_code == 200
    assert client.get("/").headers["Location"].startswith("/login")  # still signed out


def test_a_head_with_the_registration_forms_registers_nothing(app: Flask, standin: StandIn) -> None:
    client = app.test_client()
    before = _count(app, EnterpriseRegistration), _count(app, User)
    enterprise = {"credit_code": credit_code("91450300MA5HEAD01"), "name": "桂林漓江建设有限公司",
                  "enterprise_type": "建筑业企业", "region_code": "450300", "legal_representative": "蒋立",
                  "legal_representative_id": id_number("45030219700101123"), "method": "face"}
    assert _head(client, "/register/enterprise", enterprise).status_code == 200
    individual = {"name": "韦明", "id_number": id_number("45010219950505007"), "phone": "13977110009",
                  "username": "head-person", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert _head(client, "/register/individual", individual).status_code == 200
    assert (_count(app, EnterpriseRegistration), _count(app, User)) == before
    assert client.get("/register/enterprise/authorise").status_code == 404  # no registration to continue


def test_a_head_with_the_password_form_changes_no_password(app: Flask) -> None:
    user = WebUser(app, "supervisor").login()
    with app.app_context():
        hashed = db.session.scalar(select(User.password_hash).where(User.username == "supervisor"))
    answer = _head(user.client, "/account/password", {"current": DEMO_PASSWORD, "password": NEW_PASSWORD,
                                                      "password2": NEW_PASSWORD, "csrf_token": user.token})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.username == "supervisor")) == hashed


def test_a_head_with_the_account_form_creates_no_account(app: Flask) -> None:
    admin = WebUser(app, "admin").login()
    answer = _head(admin.client, "/admin/accounts/new", {
        "username": "head-reviewer", "display_name": "桂林审核员", "phone": "13807730009", "region_code": "450300",
        "roles": ["city_reviewer"], "csrf_token": admin.token})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "head-reviewer")) is None
