"""The limiter skips requests no limit can apply to, and only those."""
from __future__ import annotations

from flask import Flask

from app.extensions import unlimited_request


def test_only_requests_without_any_limit_skip_the_limiter(app: Flask) -> None:
    with app.test_request_context("/healthz"):
        assert unlimited_request()
    with app.test_request_context("/api/v1/cases"):
        assert unlimited_request()
    with app.test_request_context("/no/such/page"):
        assert unlimited_request()
    for path in ("/login", "/login/code", "/login/code/resend"):  # routes with their own limits
        with app.test_request_context(path, method="POST"):
            assert not unlimited_request(), path


def test_an_app_wide_limit_keeps_every_request_checked(app: Flask) -> None:
    app.config["RATELIMIT_DEFAULT"] = "100 per minute"
    try:
        with app.test_request_context("/healthz"):
            assert not unlimited_request()
    finally:
        del app.config["RATELIMIT_DEFAULT"]
