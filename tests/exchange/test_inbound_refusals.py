"""What a sending system is told when its message is refused before it is stored: each problem once, and the
English (`message_en`) of a refusal that names no data."""
from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask

from app.integrations.exchange.signing import signed_headers
from tests.exchange.conftest import KEYS


def _inbound(client: Any, system: str, body: bytes, now: float | None = None) -> Any:
    return client.post(f"/api/v1/exchange/inbound/{system}", data=body, content_type="application/json",
                       headers=signed_headers(KEYS[system], body, now))


def test_each_problem_of_an_envelope_is_told_once(inbound_app: Flask, client: Any) -> None:
    """jsonschema reports each missing field apart; the line names them all, and was repeated once per field."""
    refused = _inbound(client, "quality_safety", json.dumps({"kind": "completion_acceptance"}).encode())
    assert refused.status_code == 422 and refused.json["code"] == "exchange_message_invalid"
    assert refused.json["details"]["problems"] == ["(报文): 缺少必填字段 message_id、schema_version、payload"]


def test_each_problem_of_a_payload_is_told_once(inbound_app: Flask, client: Any) -> None:
    message = {"message_id": "qs-empty-1", "kind": "completion_acceptance", "schema_version": 1,
               "occurred_at": "2026-12-05T08:00:00+08:00", "payload": {}}
    rejected = _inbound(client, "quality_safety", json.dumps(message).encode())
    assert rejected.status_code == 200 and rejected.json["code"] == "payload_invalid"
    assert rejected.json["message"].count("缺少必填字段") == 1, rejected.json["message"]


def test_refusals_that_name_no_data_are_in_english_too(inbound_app: Flask, client: Any) -> None:
    window = int(inbound_app.config["EXCHANGE_REPLAY_WINDOW_SECONDS"])
    old = _inbound(client, "approval_system", b'{"kind": "certificate_change"}', now=time.time() - window - 1)
    assert old.status_code == 401 and old.json["code"] == "signature_expired"
    assert old.json["message_en"] == (f"Signature timestamp outside the allowed window (±{window} seconds); "
                                      "the message was not accepted")
    not_json = _inbound(client, "approval_system", b"{not json")
    assert not_json.status_code == 422 and not_json.json["message"] == "报文不是有效的 JSON，未予接收"
    assert not_json.json["message_en"] == "The message is not valid JSON; it was not accepted"
