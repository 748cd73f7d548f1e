"""The outbox is delivered: once per Idempotency-Key at the receiver, retried with backoff, dead-lettered
after the retry budget and re-sent by an admin, in order per aggregate, claimed by one dispatcher only."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from app.db import transactional, utcnow
from app.integrations.exchange.standin import ExchangeStandIn
from app.jobs.exchange import dispatch_outbox
from app.services.exchange.delivery import Policy, claim_due
from tests.exchange.conftest import messages, point_at, queue


def dispatch(app: Flask) -> int:
    with app.app_context():
        return dispatch_outbox()


def later(minutes: float) -> Any:
    return freeze_time(utcnow() + timedelta(minutes=minutes), tick=True)


def test_messages_are_delivered_once_with_their_idempotency_key(exchange_app: Flask,
                                                               national: ExchangeStandIn) -> None:
    keys = queue(exchange_app, 3)
    assert dispatch(exchange_app) == 3
    assert sorted(national.effects) == sorted(keys)  # the header the receiver deduplicates by is the queued key
    rows = messages(exchange_app)
    assert {r.status for r in rows} == {"delivered"}
    assert all(r.acknowledgement and r.acknowledgement.startswith("national_platform-") for r in rows)
    assert dispatch(exchange_app) == 0 and national.calls == 3  # nothing is sent again


def test_a_failed_delivery_is_retried_after_a_backoff(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.fail_share = 1.0
    before = utcnow()
    assert dispatch(exchange_app) == 0
    [row] = messages(exchange_app)
    assert row.status == "pending" and row.attempts == 1 and "503" in (row.last_error or "")
    assert row.next_attempt_at is not None
    assert before + timedelta(seconds=2.5) <= row.next_attempt_at <= utcnow() + timedelta(seconds=5)
    assert dispatch(exchange_app) == 0 and national.calls == 1  # not yet due: not sent
    national.fail_share = 0.0
    with later(1):
        assert dispatch(exchange_app) == 1
    [row] = messages(exchange_app)
    assert row.status == "delivered" and row.attempts == 2 and national.effect_count == 1


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = Policy(backoff_seconds=5, backoff_cap_seconds=60)
    assert [policy.backoff(n, draw=1.0).total_seconds() for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]
    assert policy.backoff(3, draw=0.0).total_seconds() == 10  # jitter: between half and all of it


def test_a_timeout_after_the_effect_is_resent_with_the_same_key_and_applied_once(
        exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.timeout_share = 1.0  # the receiver applies it, then answers after our timeout
    assert dispatch(exchange_app) == 0
    national.timeout_share = 0.0
    with later(1):
        assert dispatch(exchange_app) == 1
    assert national.calls == 2 and national.effect_count == 1


def test_dead_letter_after_the_retry_budget_then_resent_by_an_admin(exchange_app: Flask, national: ExchangeStandIn,
                                                                     as_user: Any) -> None:
    queue(exchange_app, 1)
    national.fail_share = 1.0
    for minutes in (0, 10, 20):  # EXCHANGE_MAX_ATTEMPTS = 3
        with later(minutes):
            dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "dead" and row.attempts == 3 and row.dead_at is not None
    with later(60):
        assert dispatch(exchange_app) == 0 and national.calls == 3  # a dead letter is not retried
    admin = as_user("admin")
    dead = admin.get("/api/v1/exchange/messages?status=dead")
    assert dead.status_code == 200 and [m["id"] for m in dead.json["items"]] == [row.id]
    summary = {s["system"]: s for s in admin.get("/api/v1/exchange/systems").json["items"]}
    assert summary["national_platform"]["dead"] == 1
    assert as_user("city-nanning").post(f"/api/v1/exchange/messages/{row.id}/resend").status_code == 403
    resent = admin.post(f"/api/v1/exchange/messages/{row.id}/resend")
    assert resent.status_code == 200 and resent.json["status"] == "pending" and resent.json["attempts"] == 0
    again = admin.post(f"/api/v1/exchange/messages/{row.id}/resend")
    assert again.status_code == 409 and again.json["code"] == "outbox_not_dead"
    national.fail_share = 0.0
    assert dispatch(exchange_app) == 1
    assert messages(exchange_app)[0].status == "delivered" and national.effect_count == 1


def test_a_refused_message_is_dead_at_once(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.refuse = True
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "dead" and row.attempts == 1 and "422" in (row.last_error or "")


def test_garbage_answers_are_retried(exchange_app: Flask, national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    national.garbage = True
    dispatch(exchange_app)
    [row] = messages(exchange_app)
    assert row.status == "pending" and "内容不是 JSON" in (row.last_error or "")


def test_one_enterprise_s_messages_are_delivered_in_order(exchange_app: Flask, national: ExchangeStandIn) -> None:
    a = queue(exchange_app, 3, aggregate="enterprise:1")
    b = queue(exchange_app, 2, aggregate="enterprise:2")
    national.fail_share = 1.0
    dispatch(exchange_app)
    assert national.calls == 2  # the first of each enterprise only: the others wait for it
    national.fail_share = 0.0
    with later(1):
        assert dispatch(exchange_app) == 5
    assert [k for k in national.order if k in a] == a and [k for k in national.order if k in b] == b


def test_a_dead_letter_holds_the_later_messages_of_its_aggregate(exchange_app: Flask,
                                                                  national: ExchangeStandIn) -> None:
    a = queue(exchange_app, 2, aggregate="enterprise:1")
    national.refuse = True
    dispatch(exchange_app)
    national.refuse = False
    with later(60):
        assert dispatch(exchange_app) == 0
    assert [m.status for m in messages(exchange_app)] == ["dead", "pending"]
    assert national.effect_count == 0 and a


@pytest.mark.committing
def test_two_dispatchers_never_claim_the_same_message(make_app: Any) -> None:
    first, second = make_app(), make_app()
    queue(first, 40)
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def take(name: str, application: Flask) -> None:
        with application.app_context():
            barrier.wait()
            ids: list[int] = []
            for _ in range(4):
                ids += [c.id for c in transactional(claim_due)(5)]
            claimed[name] = ids

    threads = [threading.Thread(target=take, args=(n, a)) for n, a in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = claimed["first"] + claimed["second"]
    assert len(both) == len(set(both)) == 40


def test_a_claim_left_by_a_dead_dispatcher_is_taken_over_after_its_lease(exchange_app: Flask,
                                                                          national: ExchangeStandIn) -> None:
    queue(exchange_app, 1)
    with exchange_app.app_context():
        [claim] = transactional(claim_due)(10)  # claimed, never sent: the dispatcher died
    assert dispatch(exchange_app) == 0  # its lease still runs
    with later(2):
        assert dispatch(exchange_app) == 1
    [row] = messages(exchange_app)
    assert row.attempts == 2 and claim.attempt == 1 and national.effect_count == 1


def test_the_demo_without_a_url_delivers_to_a_stand_in(app: Flask) -> None:
    point_at  # noqa: B018 (the demo configures nothing)
    queue(app, 1)
    assert dispatch(app) == 1
    assert ExchangeStandIn.shared("national_platform").effect_count >= 1


def test_a_rate_limit_spaces_the_calls_to_a_system() -> None:
    from app.integrations.exchange.http import RateLimit

    limit = RateLimit(per_second=1000)
    slots = []
    for _ in range(3):
        limit.wait()
        slots.append(limit._next)
    assert all(b - a >= 0.001 - 1e-9 for a, b in zip(slots, slots[1:], strict=False))  # never closer
    assert RateLimit.of("national_platform", 5) is RateLimit.of("national_platform", 5)
