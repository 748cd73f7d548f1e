"""The admin's list of received messages (数据交换 › 接收的报文): every message, paged, filtered by sending system and
status, with the sender's message_id. A request the inbound endpoint refuses before storing anything (a bad or old
signature, a replay, no envelope) is logged on the security log with its reason and the sender it claims to be,
without the message (an admin finds the partner whose key is wrong)."""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from flask import Flask

from app.db import unit_of_work
from app.integrations.exchange.signing import signed_headers
from app.services.exchange.inbound import receive
from tests.exchange.conftest import KEYS
from tests.exchange.test_inbound import FREE, change, envelope
from tests.support.web import WebUser

RECORD = {"credit_code": "91450100MA5KXY1234", "kind": "good", "title": "良好行为记录", "decided_at": "2026-11-30"}


def received(app: Flask, system: str, kind: str, payload: dict[str, Any], count: int, prefix: str) -> None:
    with app.app_context(), unit_of_work():
        for n in range(1, count + 1):
            receive(system, envelope(kind, payload, message_id=f"{prefix}-{n:03d}"), "file")


def rows(page: str) -> list[str]:
    """The message_id column of the list, top to bottom."""
    table = page.split('data-testid="exchange-inbound"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-column="message_id"><code>([^<]*)</code></td>', table)


def test_received_messages_are_paged_filtered_and_show_the_sender_s_message_id(app: Flask) -> None:
    received(app, "national_platform", "credit_record", RECORD, 52, "np")
    received(app, "quality_safety", "construction_permit", {"permit_number": 7}, 3, "qs")  # rejected
    admin = WebUser(app, "admin").login()
    first = admin.html("/admin/exchange/inbound")
    assert rows(first)[:3] == ["qs-003", "qs-002", "qs-001"] and len(rows(first)) == 50
    assert 'href="/admin/exchange/inbound?page=2"' in first
    assert rows(admin.html("/admin/exchange/inbound?page=2")) == ["np-005", "np-004", "np-003", "np-002", "np-001"]
    assert rows(admin.html("/admin/exchange/inbound?system=quality_safety")) == ["qs-003", "qs-002", "qs-001"]
    assert rows(admin.html("/admin/exchange/inbound?status=rejected")) == ["qs-003", "qs-002", "qs-001"]
    assert rows(admin.html("/admin/exchange/inbound?system=quality_safety&status=applied")) == []
    national = admin.html("/admin/exchange/inbound?system=national_platform&status=applied")
    assert len(rows(national)) == 50
    assert 'href="/admin/exchange/inbound?page=2&amp;system=national_platform&amp;status=applied"' in national \
        or 'href="/admin/exchange/inbound?page=2&amp;status=applied&amp;system=national_platform"' in national
    past = admin.html("/admin/exchange/inbound?system=national_platform&page=9")  # past the end: the last page
    assert rows(past) == ["np-002", "np-001"]
    overview = admin.html("/admin/exchange")
    assert 'href="/admin/exchange/inbound"' in overview
    assert 'href="/admin/exchange/inbound?status=rejected&amp;system=quality_safety"' in overview  # its 已拒绝 count


def test_only_admins_see_the_received_messages(app: Flask) -> None:
    assert WebUser(app, "city-nanning").login().get("/admin/exchange/inbound").status_code == 403


def _post(client: Any, system: str, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/exchange/inbound/{system}", data=body, content_type="application/json",
                       headers=headers)


def test_refused_requests_are_logged_with_their_reason_and_claimed_sender(inbound_app: Flask, client: Any,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    message = envelope("certificate_change", change(FREE), message_id="log-1")
    body = json.dumps(message, ensure_ascii=False).encode()
    with caplog.at_level(logging.WARNING, logger="app.security"):
        wrong_key = _post(client, "approval_system", body, signed_headers("rotated-key", body))
        assert wrong_key.status_code == 401
        accepted_headers = signed_headers(KEYS["trading_platform"], b'{"kind": "bid_usage"}')
        assert _post(client, "trading_platform", b'{"kind": "bid_usage"}', accepted_headers).status_code == 422
        accepted = signed_headers(KEYS["approval_system"], body)
        assert _post(client, "approval_system", body, accepted).status_code == 200
        assert _post(client, "quality_safety", b"{}", signed_headers(KEYS["quality_safety"], b"{}")).status_code == 422
        assert _post(client, "approval_system", body, accepted).status_code == 409  # the same request again
        assert _post(client, "national_platform", b"{not json", signed_headers(KEYS["national_platform"],
                                                                                  b"{not json")).status_code == 422
    refusals = [r for r in caplog.records if r.name == "app.security" and r.levelno == logging.WARNING]
    texts = [r.getMessage() for r in refusals]
    assert len(texts) == 5, texts
    assert "approval_system" in texts[0] and "signature_invalid" in texts[0] and "401" in texts[0]
    assert "trading_platform" in texts[1] and "exchange_message_invalid" in texts[1] and "422" in texts[1]
    assert "quality_safety" in texts[2] and "exchange_message_invalid" in texts[2]
    assert "approval_system" in texts[3] and "signature_replayed" in texts[3] and "409" in texts[3]
    assert "national_platform" in texts[4] and "exchange_message_invalid" in texts[4]
    for text in texts:
        assert FREE not in text and FREE[:6] not in text and "测试" not in text and "log-1" not in text
