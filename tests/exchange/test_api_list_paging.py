"""The admin's exchange lists (outgoing messages, received messages) echo the page they answer, as every other list
of the API does ({items, total, page, per_page}), and their OpenAPI document says so."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.exchange.conftest import queue
from tests.exchange.test_inbound_list import RECORD, received
from tests.support.api import ApiUser


@pytest.mark.parametrize(("path", "schema"), [("/api/v1/exchange/messages", "OutboxPage"),
                                              ("/api/v1/exchange/inbound", "InboundPage")])
def test_the_exchange_lists_echo_their_page(app: Flask, client: Any, as_user: Callable[[str], ApiUser], path: str,
                                            schema: str) -> None:
    queue(app, 7)
    received(app, "national_platform", "credit_record", RECORD, 7, "np")
    admin = as_user("admin")
    second = admin.get(f"{path}?page=2&per_page=5")
    assert second.status_code == 200, second.json
    assert second.json["page"] == 2 and second.json["per_page"] == 5
    assert second.json["total"] == 7 and len(second.json["items"]) == 2
    first = admin.get(path)
    assert first.json["page"] == 1 and first.json["per_page"] == 20 and len(first.json["items"]) == 7
    document = client.get("/api/v1/openapi.json").json["components"]["schemas"][schema]
    assert {"items", "total", "page", "per_page"} <= set(document["required"])
    assert document["properties"]["page"]["type"] == document["properties"]["per_page"]["type"] == "integer"
