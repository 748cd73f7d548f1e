"""A body sent without a declared length (Transfer-Encoding: chunked) is bounded as one with a Content-Length: past
the limit it is answered 413 payload_too_large, not 400 as a malformed body (werkzeug stops reading it at the
limit without a word, and the JSON cut there read as malformed)."""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.support.api import ApiUser

# What a server that reads chunked bodies (gunicorn, werkzeug's) passes: no CONTENT_LENGTH, the stream ended by it.
CHUNKED = {"wsgi.input_terminated": True}


def _post_chunked(user: ApiUser, path: str, body: bytes) -> Any:
    return user.client.post(path, input_stream=io.BytesIO(body), content_type="application/json",
                            environ_overrides=CHUNKED, headers={**user.headers, "Transfer-Encoding": "chunked"})


def test_a_chunked_body_past_the_limit_is_refused_as_too_large(app: Flask,
                                                                as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    body = json.dumps({"procedure": "personnel_unlock", "data": {"reason": "x" * 3_000_000}}).encode()
    declared = ent.client.post("/api/v1/cases", data=body, content_type="application/json", headers=ent.headers)
    chunked = _post_chunked(ent, "/api/v1/cases", body)
    for answer in (declared, chunked):
        assert answer.status_code == 413 and answer.json["code"] == "payload_too_large", answer.json
    exact = b" " * (app.config["MAX_BODY_BYTES"] - 2) + b"{}"  # at the limit: read, and answered about
    assert _post_chunked(ent, "/api/v1/cases", exact).json["code"] == "invalid_request"
    assert _post_chunked(ent, "/api/v1/cases", b" " + exact).json["code"] == "payload_too_large"


def test_a_chunked_body_within_the_limit_is_read_whole(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    started = _post_chunked(ent, "/api/v1/cases", json.dumps({"procedure": "personnel_unlock"}).encode())
    assert started.status_code == 201 and started.json["procedure"] == "personnel_unlock", started.json
