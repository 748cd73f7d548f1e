"""The 数据交换 page reads in one language: a delivery's last error (a system not configured, not reachable, answering
an error), the problems a received message was rejected for and the sending system are shown in the page's
language (stored in Chinese, read back into their templates), the systems by their names, not their keys."""
from __future__ import annotations

import html
import re
import socket
from typing import Any

from flask import Flask

from app.integrations.exchange import HttpConnector, UnconfiguredConnector
from app.integrations.exchange.standin import ExchangeStandIn
from app.jobs.exchange import dispatch_outbox
from tests.exchange.conftest import messages, queue
from tests.exchange.test_inbound import envelope, send
from tests.support.web import WebUser

NATIONAL_ZH = "全国建筑市场监管公共服务平台（全国平台）"
NATIONAL_EN = "National construction market supervision platform (全国平台)"


def row_of(page: str, attribute: str, row_id: int) -> str:
    found = re.search(rf'<tr {attribute}="{row_id}">(.*?)</tr>', page, re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dispatch_with(app: Flask, connector: Any) -> None:
    with app.app_context():
        dispatch_outbox({"national_platform": connector})


def test_the_last_errors_read_in_the_page_s_language(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1, aggregate="a")
    dispatch_with(exchange_app, UnconfiguredConnector("national_platform"))
    queue(exchange_app, 1, aggregate="b", start=2)
    dispatch_with(exchange_app, HttpConnector("national_platform", f"http://127.0.0.1:{closed_port()}", timeout=2))
    queue(exchange_app, 1, aggregate="c", start=3)
    national.fail_share = 1.0
    dispatch_with(exchange_app, HttpConnector("national_platform", national.url, timeout=2))
    unconfigured, unreachable, answered = (m.id for m in messages(exchange_app))
    admin = WebUser(exchange_app, "admin").login()
    page = admin.html("/admin/exchange")
    assert "未配置 GJY_NATIONAL_PLATFORM_URL（或 GJY_EXCHANGE_NATIONAL_PLATFORM_URL），无法发送" in \
        row_of(page, "data-message", unconfigured)
    assert f"无法连接{NATIONAL_ZH}：连接被拒绝" in row_of(page, "data-message", unreachable)
    assert f"{NATIONAL_ZH}回答 HTTP 503：" in row_of(page, "data-message", answered)
    admin.get("/lang/en")
    page = admin.html("/admin/exchange")
    assert "GJY_NATIONAL_PLATFORM_URL (or GJY_EXCHANGE_NATIONAL_PLATFORM_URL) is not set: cannot send" in \
        row_of(page, "data-message", unconfigured)
    assert f"{NATIONAL_EN} unreachable: connection refused" in row_of(page, "data-message", unreachable)
    assert f"{NATIONAL_EN} answered HTTP 503: " in row_of(page, "data-message", answered)
    for row in (unconfigured, unreachable, answered):
        assert "未配置" not in row_of(page, "data-message", row) and "回答" not in row_of(page, "data-message", row)


def test_a_rejected_message_s_problems_and_its_sender_read_in_the_page_s_language(inbound_app: Flask,
                                                                                  client: Any) -> None:
    rejected = send(client, "quality_safety", envelope("construction_permit", {"permit_number": 7})).json
    assert rejected["status"] == "rejected" and rejected["code"] == "payload_invalid"
    assert "permit_number: 应为文本" in rejected["message"]  # the sending system reads Chinese
    admin = WebUser(inbound_app, "admin").login()
    chinese = row_of(admin.html("/admin/exchange/inbound"), "data-inbound", rejected["id"])
    assert "工程质量安全监督系统" in chinese and "quality_safety" not in chinese
    assert rejected["message"] in chinese
    admin.get("/lang/en")
    english = row_of(admin.html("/admin/exchange/inbound"), "data-inbound", rejected["id"])
    assert "Quality and safety supervision system" in english and "quality_safety" not in english
    assert "The message content is invalid: " in english and "permit_number: should be text" in english
    assert "(message): required fields missing: " in english
    assert "缺少" not in english and "应为" not in english, english
