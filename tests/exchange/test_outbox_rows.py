"""The outgoing messages as the admin reads them: a message held behind an earlier one of its group (the same
enterprise) says which one it waits for and why, instead of a bare 待发送; a delivered message shows no error of an
earlier failed attempt."""
from __future__ import annotations

import html
import re

from flask import Flask

from app.integrations.exchange.standin import ExchangeStandIn
from tests.exchange.conftest import messages, queue
from tests.exchange.test_delivery import dispatch, later
from tests.support.web import WebUser


def row_of(page: str, row_id: int) -> str:
    found = re.search(rf'<tr data-message="{row_id}">(.*?)</tr>', page, re.S)
    assert found, page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_a_message_held_behind_an_earlier_one_of_its_group_says_which(exchange_app: Flask,
                                                                       national: ExchangeStandIn) -> None:
    queue(exchange_app, 3, aggregate="enterprise:1")
    queue(exchange_app, 1, aggregate="enterprise:2", start=4)
    national.refuse = True
    dispatch(exchange_app)
    dead, held, held_too, alone = messages(exchange_app)
    assert (dead.status, held.status, held_too.status, alone.status) == ("dead", "pending", "pending", "dead")
    admin = WebUser(exchange_app, "admin").login()
    page = admin.html("/admin/exchange")
    assert f"等待同组前一条消息（#{dead.id}，发送失败）重新发送后发送" in row_of(page, held.id)
    assert f"等待同组前一条消息（#{dead.id}，发送失败）重新发送后发送" in row_of(page, held_too.id)
    assert "等待同组" not in row_of(page, dead.id) and "等待同组" not in row_of(page, alone.id)
    admin.get("/lang/en")
    english = row_of(admin.html("/admin/exchange"), held.id)
    assert f"Waiting for the earlier message #{dead.id} of its group (failed) to be re-sent" in english, english
    admin.post(f"/admin/exchange/messages/{dead.id}/resend")
    national.fail_share, national.refuse = 1.0, False
    dispatch(exchange_app)
    page = admin.html("/admin/exchange")
    assert f"Waiting for the earlier message #{dead.id} of its group to be delivered" in row_of(page, held.id)


def test_a_delivered_message_shows_no_earlier_error(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.fail_share = 1.0
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "pending" and "503" in (row.last_error or "")
    national.fail_share = 0.0
    with later(1):
        assert dispatch(exchange_app) == 1
    [row] = messages(exchange_app)
    assert row.status == "delivered" and row.last_error is None
    page = WebUser(exchange_app, "admin").login().html("/admin/exchange")
    assert "503" not in row_of(page, row.id) and "已送达" in row_of(page, row.id)
