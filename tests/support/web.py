"""A small client that acts as a demo user through the pages (session cookie, CSRF token from the page),
signing in the real way: password, then the SMS code read from the memory gateway the tests configure."""
from __future__ import annotations

import io
import re
from http.cookies import SimpleCookie
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.integrations.sms import MemorySmsGateway
from app.models import User
from app.services.demo import DEMO_PASSWORD

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def store_cookies(client: FlaskClient, response: Any) -> None:
    """Store an answer's Set-Cookie headers in `client`'s jar, as a browser stores them from any answer: for an
    answer another client got (a request the browser sent earlier, with the cookies it had then)."""
    for header in response.headers.getlist("Set-Cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            if morsel.value and morsel["max-age"] != "0":
                client.set_cookie(name, morsel.value)
            else:
                client.delete_cookie(name)


def notice_item(html: str, kind: str) -> str:
    """The notifications page's item of the notice of `kind` (its inner HTML)."""
    found = re.search(rf'<li [^>]*data-kind="{kind}">(.*?)</li>', html, re.S)
    assert found, html
    return found.group(1)


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def phone_of(app: Flask, username: str) -> str:
    with app.app_context():
        phone = db.session.scalar(select(User.phone).where(User.username == username))
    assert phone, f"{username} has no phone for the sign-in code"
    return phone


def sent_code(app: Flask, username: str) -> str:
    """The newest code the SMS gateway (the tests' memory gateway) carried to the user's phone."""
    code = MemorySmsGateway.shared().last_code(phone_of(app, username))
    assert code, f"no SMS code was sent to {username}"
    return code


def password_step(client: FlaskClient, username: str, password: str = DEMO_PASSWORD, **kw: Any) -> Any:
    """POST the sign-in form (account + password); a 302 to /login/code means the code was sent."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}, **kw)


def code_step(client: FlaskClient, code: str, **kw: Any) -> Any:
    token = csrf_token(client.get("/login/code").get_data(as_text=True))
    return client.post("/login/code", data={"code": code, "csrf_token": token}, **kw)


def sign_in(app: Flask, client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    """Sign in as a person does: password, then the code sent to the phone. Returns the last response."""
    first = password_step(client, username, password)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/code"), \
        first.get_data(as_text=True)[:2000]
    second = code_step(client, sent_code(app, username))
    assert second.status_code == 302 and "/login" not in second.headers["Location"], \
        second.get_data(as_text=True)[:2000]
    return second


class WebUser:
    def __init__(self, app: Flask, username: str) -> None:
        self.app, self.username = app, username
        self.client: FlaskClient = app.test_client()
        self.token = ""

    def login(self, password: str = DEMO_PASSWORD) -> WebUser:
        sign_in(self.app, self.client, self.username, password)
        self.token = csrf_token(self.client.get("/", follow_redirects=True).get_data(as_text=True))
        return self

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def html(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kw: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.token
        return self.client.post(path, data=body, **kw)

    def upload_form(self, path: str, data: dict[str, Any], files: dict[str, tuple[bytes, str]]) -> Any:
        body: dict[str, Any] = {**data, "csrf_token": self.token}
        for name, (content, filename) in files.items():
            body[name] = (io.BytesIO(content), filename)
        return self.client.post(path, data=body, content_type="multipart/form-data")
