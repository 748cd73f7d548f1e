"""An API error whose message names no data carries its English (`message_en`): the texts that had a number or a
scope built into them (f-strings, which the catalogue cannot hold) and those missing from the catalogue answered
null. The data exchange's: tests/exchange/test_inbound_refusals.py."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.support.api import ApiUser


def test_a_read_token_refused_a_change_says_why_in_english(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    read_only = ent.post("/api/v1/tokens", {"name": "只读", "scopes": ["read"]}).json["token"]
    refused = ent.client.post("/api/v1/cases", json={"procedure": "personnel_unlock"},
                              headers={"Authorization": f"Bearer {read_only}"})
    assert refused.status_code == 403 and refused.json["code"] == "token_scope_missing"
    assert refused.json["message"] == "访问令牌没有 write 权限范围"
    assert refused.json["message_en"] == "The access token lacks the write scope"


def test_a_body_too_large_is_refused_in_english_too(app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    kilobytes = app.config["MAX_BODY_BYTES"] // 1024
    refused = ent.start("personnel_unlock", {"reason": "x" * app.config["MAX_BODY_BYTES"]})
    assert refused.status_code == 413 and refused.json["code"] == "payload_too_large"
    assert refused.json["message"] == f"请求内容过大：不能超过 {kilobytes} KB"
    assert refused.json["message_en"] == f"Request too large: at most {kilobytes} KB"


def test_an_upload_without_a_file_is_refused_in_english_too(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    case_id = ent.start("personnel_unlock").json["id"]
    refused = ent.client.post(f"/api/v1/cases/{case_id}/attachments", headers=ent.headers, data={},
                              content_type="multipart/form-data")
    assert refused.status_code == 422 and refused.json["code"] == "upload_missing"
    assert refused.json["message_en"] == "Choose a file to upload (field name: file)"
