"""Fixtures of the exchange tests: stand-ins of the external systems on 127.0.0.1 and the app pointed at
them, and helpers to queue messages."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.exchange.standin import ExchangeStandIn
from app.integrations.outbox import enqueue
from app.models import OutboxMessage

KIND = "national_platform.data_level_change"
KEYS = {"approval_system": "approval-key", "trading_platform": "trading-key", "national_platform": "national-key",
        "quality_safety": "quality-key"}


def report(number: int, project: str = "GX-TEST-1") -> dict[str, Any]:
    """A valid national-platform level report."""
    return {"project_code": project, "permit_number": None, "project_name": f"测试项目{number}",
            "region_code": "450100", "old_level": "B", "new_level": "A", "application_level": "B",
            "verified_by": "province_on_site", "case_number": f"SJ-2026-{number:06d}",
            "confirmed_at": "2026-12-05T08:00:00+00:00"}


@pytest.fixture
def national() -> Iterator[ExchangeStandIn]:
    server = ExchangeStandIn("national_platform", seed=7)
    server.delay = 1.0
    yield server
    server.stop()


@pytest.fixture
def trading() -> Iterator[ExchangeStandIn]:
    server = ExchangeStandIn("trading_platform")
    yield server
    server.stop()


def point_at(app: Flask, server: ExchangeStandIn, **config: Any) -> None:
    """The app delivers to this stand-in (short timeout: the stand-in's timeouts last `delay`)."""
    key = server.system.upper()
    app.config["EXCHANGE_SETTINGS"] = {**app.config.get("EXCHANGE_SETTINGS", {}), f"{key}_URL": server.url,
                                       f"{key}_TIMEOUT": "0.3", f"{key}_KEY": "outbound-secret"}
    app.config.update(config)


@pytest.fixture
def exchange_app(app: Flask, national: ExchangeStandIn) -> Flask:
    point_at(app, national, EXCHANGE_BACKOFF_SECONDS=5.0, EXCHANGE_MAX_ATTEMPTS=3)
    return app


def queue(app: Flask, count: int, aggregate: str | None = None, start: int = 1) -> list[str]:
    """Queue `count` reports in one transaction; their idempotency keys in order."""
    keys = [f"test-report-{aggregate or 'x'}-{n}" for n in range(start, start + count)]
    with app.app_context(), unit_of_work():
        for n, key in zip(range(start, start + count), keys, strict=True):
            enqueue(KIND, report(n), key, aggregate=aggregate)
    return keys


def messages(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


@pytest.fixture
def inbound_app(app: Flask) -> Flask:
    """The app with an inbound HMAC key per system (KEYS)."""
    app.config["EXCHANGE_SETTINGS"] = {f"{system.upper()}_INBOUND_KEY": key for system, key in KEYS.items()}
    return app
