"""One sanitizer for every `next`: hostile values are refused by it, and so by the language switch and by
sign-in, which both use it (sign-in's own check used to accept `/\\evil.com`)."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.web.redirects import safe_next
from tests.support.web import code_step, password_step, sent_code

HOSTILE = ["//evil.com", "/\\evil.com", "\\\\evil.com", "https:evil.com", "https://evil.com/x", "/%5Cevil.com",
           "/%2F%2Fevil.com", "/\t/evil.com", "/\n/evil.com", "/\x00x", "javascript:alert(1)", "evil.com",
           "%2F%2Fevil.com", "/%09/evil.com", " /x", "/" + "a" * 3000]
LOCAL = ["/", "/cases?status=running", "/tasks/abc#form", "/records/persons?q=%E9%99%86"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_sanitizer_refuses_what_a_browser_would_read_as_another_site(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", LOCAL)
def test_the_sanitizer_keeps_a_path_of_this_site(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/\\evil.com", "//evil.com", "/%5Cevil.com", "https:evil.com"])
def test_the_language_switch_and_sign_in_refuse_the_same_targets(app: Flask, target: str) -> None:
    switched = app.test_client().get("/lang/zh", query_string={"next": target})
    assert switched.status_code == 302 and switched.headers["Location"] == "/"
    client: Any = app.test_client()
    assert password_step(client, "ent-nanning", query_string={"next": target}).status_code == 302
    signed_in = code_step(client, sent_code(app, "ent-nanning"))
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"


def test_sign_in_returns_to_a_local_next(app: Flask) -> None:
    client: Any = app.test_client()
    password_step(client, "ent-nanning", query_string={"next": "/cases?status=running"})
    signed_in = code_step(client, sent_code(app, "ent-nanning"))
    assert signed_in.headers["Location"] == "/cases?status=running"
