"""A small client that acts as a demo user through the pages (session cookie, CSRF token from the page)."""
from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.services.demo import DEMO_PASSWORD

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class WebUser:
    def __init__(self, app: Flask, username: str) -> None:
        self.app, self.username = app, username
        self.client: FlaskClient = app.test_client()
        self.token = ""

    def login(self) -> WebUser:
        page = self.client.get("/login")
        self.token = csrf_token(page.get_data(as_text=True))
        response = self.client.post("/login", data={"username": self.username, "password": DEMO_PASSWORD,
                                                     "csrf_token": self.token})
        assert response.status_code == 302, response.get_data(as_text=True)
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
