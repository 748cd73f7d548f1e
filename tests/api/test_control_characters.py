"""A NUL or another control character anywhere in a request is refused with 400 and a Chinese message
before anything runs (PostgreSQL refuses NUL in text: it used to end in a 500 with a traceback)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case
from app.models.identity import LoginEvent
from tests.support.api import ApiUser
from tests.support.web import csrf_token

REFUSED = {"code": "invalid_characters", "details": {},
           "message": "请求中含有不允许的字符（NUL 等控制字符或不完整的 Unicode 字符），请删除后重试",
           "message_en": "The request contains characters that are not allowed (control characters such as NUL, or "
                         "incomplete Unicode characters); remove them and try again"}


def _count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_nul_in_a_query_parameter_a_path_or_a_json_body_is_a_400(app: Flask,
                                                                  as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    for path in ("/api/v1/tasks?procedure=personnel%00unlock", "/api/v1/cases?number=JS%00", "/api/v1/tasks/x%00y",
                 "/api/v1/records/persons?q=%01"):
        refused = ent.get(path)
        assert (refused.status_code, refused.json) == (400, REFUSED), path
    cases = _count(app, Case)
    started = ent.start("personnel_unlock", {"nested": ["ok", {"reason": "申请\u0000解锁"}]})
    assert (started.status_code, started.json) == (400, REFUSED)
    assert ent.post("/api/v1/cases", {"procedure": "personnel\u0000unlock"}).status_code == 400
    assert _count(app, Case) == cases  # nothing started
    assert ent.get("/api/v1/tasks?procedure=personnel_unlock").status_code == 200  # tabs and newlines are text
    assert ent.start("personnel_unlock").status_code == 201


def test_a_lone_surrogate_in_a_json_string_is_a_400_not_a_500(app: Flask,
                                                               as_user: Callable[[str], ApiUser]) -> None:
    """`"\\ud800"` is a legal JSON escape but no text a database can store: it used to reach the driver (500)."""
    ent = as_user("ent-nanning")

    def post(path: str, body: dict[str, Any]) -> Any:  # as a client sends it: the escape, in ASCII JSON
        return ent.client.post(path, data=json.dumps(body), content_type="application/json", headers=ent.headers)

    cases = _count(app, Case)
    for path, body in (("/api/v1/cases", {"procedure": "\ud800"}),
                       ("/api/v1/tokens", {"name": "\udfff令牌", "scopes": ["read"]}),
                       ("/api/v1/cases", {"procedure": "personnel_unlock",
                                          "data": {"reason": "\ud83d项目已竣工验收"}})):  # half of an emoji
        refused = post(path, body)
        assert (refused.status_code, refused.json) == (400, REFUSED), body
    assert _count(app, Case) == cases
    whole = post("/api/v1/tokens", {"name": "\U0001f600令牌", "scopes": ["read"]})  # a whole emoji is text
    assert whole.status_code == 201 and whole.json["name"] == "\U0001f600令牌"


def test_a_nul_in_a_sign_in_form_is_refused_with_a_page(app: Flask, client: Any) -> None:
    events = _count(app, LoginEvent)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={"username": "ent-nanning\x00", "password": "x", "csrf_token": token})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "NUL 等控制字符" in page.get_data(as_text=True)
    assert _count(app, LoginEvent) == events


def test_a_body_that_is_not_an_upload_is_bounded(app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    """A JSON body past MAX_BODY_BYTES is refused unread with 413 and a Chinese message; nothing starts."""
    ent = as_user("ent-nanning")
    cases = _count(app, Case)
    limit = app.config["MAX_BODY_BYTES"]
    refused = ent.start("personnel_unlock", {"reason": "x" * limit})
    assert refused.status_code == 413 and refused.json["code"] == "payload_too_large"
    assert f"不能超过 {limit // 1024} KB" in refused.json["message"]
    assert _count(app, Case) == cases
    assert ent.start("personnel_unlock").status_code == 201
