"""Every 405 names the methods that are allowed (pages and API); every JSON body the OpenAPI requires is
refused with a 422 when it is missing."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.support.web import csrf_token

BODY_OPERATIONS = ["/api/v1/notifications/read", "/api/v1/cases", "/api/v1/tokens"]


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/cases", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("PUT", "/api/v1/notifications/read", {"OPTIONS", "POST"}),
    ("POST", "/login/code", None),  # a page that takes POST too: no 405 (checked below with DELETE)
    ("DELETE", "/login", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("POST", "/cases", None),
    ("PATCH", "/", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_405_says_which_methods_are_allowed(client: Any, method: str, path: str, allowed: set[str] | None) -> None:
    response = client.open(path, method=method)
    if allowed is None:
        return
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_every_405_of_the_route_table_carries_allow(app: Flask, client: Any) -> None:
    """For each rule, a method it does not take answers 405 with Allow listing exactly the rule's methods."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.arguments or rule.endpoint == "static":
            continue
        # the methods of every rule matching the path (another rule's variable may match it too:
        # /procedures/conversions is also /procedures/<key>)
        taken = set(app.url_map.bind("localhost").allowed_methods(rule.rule))
        missing = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in taken)
        response = client.open(rule.rule, method=missing)
        assert response.status_code == 405, (rule.rule, missing, response.status_code)
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == taken, rule.rule
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("path", BODY_OPERATIONS)
def test_a_missing_body_is_refused(as_user: Any, path: str) -> None:
    user = as_user("ent-nanning")
    response = user.client.post(path, headers=user.headers)
    assert response.status_code == 422, (path, response.json)
    assert response.json["code"] == "invalid_request"
    assert "请求体不能为空" in str(response.json["details"])


def test_an_empty_object_still_marks_all_read(as_user: Any) -> None:
    response = as_user("ent-nanning").post("/api/v1/notifications/read", {})
    assert response.status_code == 200


def test_a_multipart_part_without_a_name_is_no_server_error(as_user: Any, client: Any) -> None:
    """Found by schemathesis: werkzeug names such a part None, the control-character guard must not choke."""
    user = as_user("ent-nanning")
    body = b'--b0\r\nContent-Disposition: form-data; name="\n"\r\n\r\nnull\r\n--b0--\r\n'
    response = client.post("/api/v1/cases/1/attachments", data=body, headers=user.headers,
                           content_type="multipart/form-data; boundary=b0")
    assert response.status_code < 500
    token = csrf_token(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data=b'--b0\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b0--\r\n',
                       content_type="multipart/form-data; boundary=b0", headers={"X-CSRFToken": token})
    assert page.status_code < 500
