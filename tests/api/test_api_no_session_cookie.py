"""API answers carry no session cookie: a bearer-token caller has no page session to keep."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.api import ApiUser


def test_api_answers_set_no_session_cookie(as_user: Callable[[str], ApiUser], review_procedure: str,
                                           client: Any) -> None:
    ent = as_user("ent-nanning")
    answers = [ent.get("/api/v1/cases"), ent.start(review_procedure), ent.get("/api/v1/tasks?view=mine"),
               client.get("/api/v1/cases"), client.get("/healthz")]
    for answer in answers:
        assert answer.status_code < 500
        assert not answer.headers.getlist("Set-Cookie"), (answer.request.path, answer.headers.getlist("Set-Cookie"))
