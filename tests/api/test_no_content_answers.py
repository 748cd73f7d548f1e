"""The API's 204 answers (a token revoked, an attachment, a draft or a sandbox run deleted) carry no body and so
no content type (they said `Content-Type: application/json` over nothing); the OpenAPI document describes them
without content, and errors of the same calls are still JSON."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.support.api import ApiUser


def test_a_revoked_token_answers_204_without_a_content_type(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    created = ent.post("/api/v1/tokens", json={"name": "临时", "scopes": ["read"], "days": 1})
    assert created.status_code == 201, created.json
    gone = ent.client.delete(f"/api/v1/tokens/{created.json['id']}", headers=ent.headers)
    assert gone.status_code == 204
    assert gone.get_data() == b""
    assert "Content-Type" not in gone.headers, dict(gone.headers)
    assert gone.headers.get("Content-Length", "0") == "0"
    unknown = ent.client.delete("/api/v1/tokens/2147483647", headers=ent.headers)  # a refusal is still JSON
    assert unknown.status_code == 404 and unknown.mimetype == "application/json" and unknown.json["code"]


def test_an_attachment_deleted_answers_204_without_a_content_type(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    attachment = ent.upload(case_id).json
    gone = ent.client.delete(f"/api/v1/cases/{case_id}/attachments/{attachment['id']}", headers=ent.headers)
    assert gone.status_code == 204, gone.get_data(as_text=True)
    assert gone.get_data() == b"" and "Content-Type" not in gone.headers


def test_the_openapi_document_gives_the_204_answers_no_content(app: Flask, client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    no_content = [(path, method, answer["204"]) for path, item in spec["paths"].items()
                  for method, answer in ((m, op.get("responses", {})) for m, op in item.items() if isinstance(op, dict))
                  if "204" in answer]
    assert len(no_content) >= 4, no_content
    for path, method, answer in no_content:
        assert "content" not in answer, (path, method, answer)
