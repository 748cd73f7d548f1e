"""The admin's 数据交换 page: per-system queue figures, dead letters with a re-send button (CSRF), inbound
results; other users are refused."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from app.integrations.exchange.standin import ExchangeStandIn
from tests.exchange.conftest import messages, queue
from tests.exchange.test_delivery import dispatch
from tests.support.web import WebUser


@pytest.fixture
def web(app: Flask) -> Callable[[str], WebUser]:
    return lambda username: WebUser(app, username).login()


def test_admin_sees_a_dead_letter_and_resends_it(exchange_app: Flask, national: ExchangeStandIn,
                                                 web: Callable[[str], WebUser]) -> None:
    queue(exchange_app, 1)
    national.refuse = True
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    admin = web("admin")
    page = admin.html("/admin/exchange?status=dead")
    assert "数据交换" in page and "发送失败（死信）" in page and "national_platform.data_level_change" in page
    assert f'data-message="{row.id}"' in page and "重新发送" in page and "422" in page
    assert admin.post(f"/admin/exchange/messages/{row.id}/resend", csrf=False).status_code == 400
    answer = admin.post(f"/admin/exchange/messages/{row.id}/resend")
    assert answer.status_code == 302
    national.refuse = False
    assert dispatch(exchange_app) == 1
    page = admin.html("/admin/exchange?status=delivered")
    assert f'data-message="{row.id}"' in page and "已送达" in page


def test_the_page_is_for_admins_only(app: Flask, web: Callable[[str], WebUser]) -> None:
    assert web("city-nanning").get("/admin/exchange").status_code == 403
    city = web("city-nanning")
    assert "数据交换" not in city.get("/", follow_redirects=True).get_data(as_text=True)
    assert "数据交换" in web("admin").get("/", follow_redirects=True).get_data(as_text=True)
