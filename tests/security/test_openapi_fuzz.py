"""schemathesis against our own OpenAPI (/api/v1/openapi.json): for every operation, examples generated from
the schema (valid ones and, for bodies and parameters, invalid ones), sent as an enterprise operator and as
the admin; no answer may be a server error. Bounded and reproducible: a fixed number of examples per
operation, derandomized (the same examples on every run), no example database."""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from app.db import unit_of_work
from app.services.identity.accounts import get_user_by_username, issue_token

EXAMPLES = 12  # per operation, per generation mode and caller
CALLERS = ("ent-nanning", "admin")
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def _token(app: Flask, username: str) -> str:
    with app.app_context(), unit_of_work():
        return issue_token(get_user_by_username(username))


def _fuzz(operation: Any, mode: Any, headers: dict[str, dict[str, str]], failures: list[str]) -> None:
    """EXAMPLES requests of `mode` for `operation`, each sent as every caller; server errors noted."""
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        for username, caller in headers.items():
            response = case.call(headers=caller)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} as {username} ({mode.value}): "
                                f"{response.status_code} {response.text[:200]}; "
                                f"query={case.query} body={str(case.body)[:200]}")
    run()


def test_no_generated_request_gets_a_server_error(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {username: {"Authorization": f"Bearer {_token(app, username)}"} for username in CALLERS}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in MODES:
            _fuzz(operation, mode, headers, failures)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("path", ["/api/v1/openapi.json"])
def test_the_schema_requires_every_body(client: Any, path: str) -> None:
    """What the server enforces is what the schema says: each JSON body is required (422 when missing)."""
    spec = client.get(path).json
    bodies = [(p, m) for p, item in spec["paths"].items() for m, op in item.items()
              if isinstance(op, dict) and "requestBody" in op
              and "application/json" in op["requestBody"].get("content", {})]
    assert bodies and all(spec["paths"][p][m]["requestBody"].get("required") for p, m in bodies)
