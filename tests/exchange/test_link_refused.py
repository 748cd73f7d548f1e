"""A receiver that refuses our credentials or address (401, 403, 404, 407, 421: e.g. after a credential rotation)
has a problem with the link, not with the message: the messages are retried with the normal backoff, not
dead-lettered, and the province's admins are told once (in-app); a receiver that refuses the message itself (400,
409, 422) still makes it a dead letter at once, and nobody is notified. An admin re-sends all dead letters of one
system at once from the 数据交换 page (audited)."""
from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.integrations.outbox import enqueue
from app.models import AuditEntry, Notification, OutboxMessage, User
from tests.exchange.conftest import messages, point_at, queue
from tests.exchange.test_delivery import dispatch, later
from tests.support.web import WebUser, notice_item

LINK_REFUSED = "exchange_link_refused"


@pytest.fixture(autouse=True)
def patient(exchange_app: Flask) -> None:
    """No test here waits for a timeout: a busy machine's slow answer is not taken for one."""
    exchange_app.config["EXCHANGE_SETTINGS"] = {**exchange_app.config["EXCHANGE_SETTINGS"],
                                                "NATIONAL_PLATFORM_TIMEOUT": "5"}


def notified(app: Flask, username: str = "admin") -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).join(
            User, User.id == Notification.user_id).where(User.username == username,
                                                         Notification.kind == LINK_REFUSED)) or 0


@pytest.mark.parametrize("status", [401, 403, 404, 407, 421])
def test_a_refused_credential_is_retried_and_the_admins_are_told_once(exchange_app: Flask, national: ExchangeStandIn,
                                                                       status: int) -> None:
    queue(exchange_app, 2, aggregate="enterprise:1")
    queue(exchange_app, 1, aggregate="enterprise:2", start=3)
    national.refuse, national.refuse_status = True, status
    dispatch(exchange_app)
    first, held, other = messages(exchange_app)
    assert (first.status, first.attempts, other.status, other.attempts) == ("pending", 1, "pending", 1)
    assert first.next_attempt_at is not None and str(status) in (first.last_error or "")
    assert held.status == "pending" and held.attempts == 0
    assert notified(exchange_app) == 1 and notified(exchange_app, "city-nanning") == 0
    with later(1):
        dispatch(exchange_app)
    assert [m.status for m in messages(exchange_app)] == ["pending"] * 3 and messages(exchange_app)[0].attempts == 2
    assert notified(exchange_app) == 1  # once, not once per message or attempt
    national.refuse = False  # the credential is put right
    with later(5):
        assert dispatch(exchange_app) == 3
    assert national.effect_count == 3


def test_the_link_refused_again_after_a_success_is_told_again(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.refuse, national.refuse_status = True, 401
    dispatch(exchange_app)
    national.refuse = False
    with later(1):
        assert dispatch(exchange_app) == 1
    queue(exchange_app, 1, start=2)
    national.refuse = True
    with later(2):
        dispatch(exchange_app)
    assert notified(exchange_app) == 2


def test_the_admins_notice_reads_in_english(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.refuse, national.refuse_status = True, 401
    dispatch(exchange_app)
    admin = WebUser(exchange_app, "admin").login()
    chinese = html.unescape(notice_item(admin.html("/notifications"), LINK_REFUSED))
    assert "全国建筑市场监管公共服务平台（全国平台）" in chinese and "GJY_EXCHANGE_NATIONAL_PLATFORM_KEY" in chinese
    admin.get("/lang/en")
    english = html.unescape(notice_item(admin.html("/notifications"), LINK_REFUSED))
    assert "National construction market supervision platform" in english
    assert "refuses our credentials" in english and "GJY_EXCHANGE_NATIONAL_PLATFORM_KEY" in english
    assert "拒绝" not in english and "凭据" not in english and "重试" not in english, english


@pytest.mark.parametrize("status", [400, 409, 422])
def test_a_refused_message_is_dead_at_once_and_nobody_is_notified(exchange_app: Flask, national: ExchangeStandIn,
                                                                   status: int) -> None:
    queue(exchange_app, 1)
    national.refuse, national.refuse_status = True, status
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "dead" and row.attempts == 1 and str(status) in (row.last_error or "")
    assert notified(exchange_app) == 0


def score(app: Flask, number: int) -> None:
    with app.app_context(), unit_of_work():
        enqueue("trading_platform.integrity_score", {
            "credit_code": "91450100MA5KXY1234", "entry_id": number, "points": "1.00", "score": "86.00",
            "reason": "良好行为", "source": "behaviour", "effective_on": "2026-12-01", "recorded_by": "admin",
            "case_number": None}, f"test-score-{number}")


def dead_letters_of_both_systems(app: Flask, national: ExchangeStandIn,
                                 trading: ExchangeStandIn) -> list[OutboxMessage]:
    """Three reports to the national platform and one to the trading platform, both refusing: four dead letters."""
    point_at(app, trading)
    app.config["EXCHANGE_SETTINGS"]["TRADING_PLATFORM_TIMEOUT"] = "5"
    queue(app, 3)
    score(app, 1)
    national.refuse = trading.refuse = True
    dispatch(app)
    rows = messages(app)
    assert [m.status for m in rows] == ["dead"] * 4
    return rows


def test_an_admin_resends_every_dead_letter_of_one_system_at_once(exchange_app: Flask, national: ExchangeStandIn,
                                                                  trading: ExchangeStandIn) -> None:
    dead_letters_of_both_systems(exchange_app, national, trading)
    admin = WebUser(exchange_app, "admin").login()
    page = admin.html("/admin/exchange")
    assert 'action="/admin/exchange/systems/national_platform/resend"' in page and "全部重新发送" in page
    assert admin.post("/admin/exchange/systems/national_platform/resend", csrf=False).status_code == 400
    answer = admin.post("/admin/exchange/systems/national_platform/resend")
    assert answer.status_code == 302
    assert "已将 3 条死信重新排队发送" in admin.html(answer.headers["Location"])
    rows = messages(exchange_app)
    assert [(m.target, m.status, m.attempts) for m in rows] == [
        ("national_platform", "pending", 0)] * 3 + [("trading_platform", "dead", 1)]
    with exchange_app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange.resent_all"))
        assert entry.details["target"] == "national_platform" and entry.details["count"] == 3
        assert sorted(entry.details["message_ids"]) == sorted(m.id for m in rows[:3])
    national.refuse = False
    assert dispatch(exchange_app) == 3
    nothing = admin.post("/admin/exchange/systems/national_platform/resend")
    assert "没有发送失败（死信）的报文" in admin.html(nothing.headers["Location"])


def test_only_admins_resend_a_system_s_dead_letters(exchange_app: Flask) -> None:
    city = WebUser(exchange_app, "city-nanning").login()
    assert city.post("/admin/exchange/systems/national_platform/resend").status_code == 403
