"""A dispatcher process killed with SIGKILL while the receiver holds its requests: the messages it claimed
are taken over after their lease and sent again with the same Idempotency-Key: the receiver applies each
once (exactly once in effect), nothing is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from app.db import utcnow
from app.integrations.exchange.standin import ExchangeStandIn
from app.jobs.exchange import dispatch_outbox
from tests.exchange.conftest import messages, point_at, queue

ROOT = Path(__file__).resolve().parents[2]


def dispatcher_process(database_url: str, server: ExchangeStandIn, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "GJY_WORKER": "off",
           "UPLOAD_DIR": str(tmp_path / "uploads"), "GJY_EXCHANGE_NATIONAL_PLATFORM_URL": server.url,
           "GJY_EXCHANGE_NATIONAL_PLATFORM_TIMEOUT": "30", "GJY_EXCHANGE_LEASE_SECONDS": "60"}
    env.pop("GJY_DEMO", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "exchange", "dispatch"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.committing
def test_a_dispatcher_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
        make_app: Any, database_url: str, national: ExchangeStandIn, tmp_path: Path) -> None:
    app = make_app()
    point_at(app, national)
    keys = queue(app, 5)
    national.hold()  # every request is applied by the receiver, then not answered
    process = dispatcher_process(database_url, national, tmp_path)
    try:
        assert national.wait_for_calls(5, timeout=60), process.stderr.read().decode() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        national.release()
    assert process.returncode == -signal.SIGKILL
    rows = messages(app)
    assert [r.status for r in rows] == ["sending"] * 5  # claimed by the dead dispatcher, not delivered
    assert dispatch_now(app) == 0  # their lease still runs: nobody sends them meanwhile
    with freeze_time(utcnow() + timedelta(minutes=2), tick=True):
        assert dispatch_now(app) == 5
    assert [r.status for r in messages(app)] == ["delivered"] * 5
    assert national.calls == 10 and sorted(national.effects) == sorted(keys)  # sent twice, applied once


def dispatch_now(app: Any) -> int:
    with app.app_context():
        return dispatch_outbox()
