"""Data-exchange benchmark: outbox messages delivered per second by one dispatcher against a stand-in,
inbound messages applied per second, and the chaos run of the issue: 1,000 national-platform level
reports against a stand-in failing 50 % of calls and timing out on 10 %, the dispatcher process killed
(SIGKILL) and restarted while it works; the stand-in's effect count must equal the number of reports.

Usage: .venv/bin/python bench/exchange.py [--messages 2000] [--inbound 1000] [--chaos 1000] [--kills 3]
                                          [--backend sqlite|postgresql]
Prints figures; the chaos run exits non-zero if a report had no effect or one had two.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.db import unit_of_work  # noqa: E402
from app.extensions import db  # noqa: E402
from app.integrations.exchange.signing import signed_headers  # noqa: E402
from app.integrations.exchange.standin import ExchangeStandIn  # noqa: E402
from app.integrations.outbox import enqueue  # noqa: E402
from app.jobs.exchange import dispatch_outbox  # noqa: E402
from app.models import OutboxMessage  # noqa: E402
from app.services.demo import credit_code, seed_demo  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KIND = "national_platform.data_level_change"
INBOUND_KEY = "bench-inbound-key"


def report(n: int) -> dict[str, Any]:
    return {"project_code": f"BENCH{n:06d}", "permit_number": None, "project_name": f"基准项目{n}",
            "region_code": "450100", "old_level": "B", "new_level": "A", "application_level": "B",
            "verified_by": "province_on_site", "case_number": f"SJBA-2026-{n:06d}",
            "confirmed_at": "2026-12-05T08:00:00+00:00"}


def database(backend: str, tmp: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / (name + '.sqlite3')}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def make_app(url: str, tmp: Path, standin: ExchangeStandIn, timeout: float = 10, **config: Any) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WORKER": "off", "DEMO": False,
                      "UPLOAD_DIR": str(tmp / "uploads"),
                      "EXCHANGE_SETTINGS": {"NATIONAL_PLATFORM_URL": standin.url,
                                            "NATIONAL_PLATFORM_TIMEOUT": str(timeout),
                                            "NATIONAL_PLATFORM_INBOUND_KEY": INBOUND_KEY}, **config})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
    return app


def queue(app: Flask, count: int, aggregates: int) -> None:
    with app.app_context(), unit_of_work():
        for n in range(count):
            enqueue(KIND, report(n), f"bench-{n}", aggregate=f"enterprise:{n % aggregates}")


def delivered(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status == "delivered")) or 0
        db.session.remove()
        return found


def throughput(backend: str, tmp: Path, count: int) -> None:
    for aggregates, label in ((count, "every message its own aggregate"), (1, "one aggregate (strictly in order)")):
        standin = ExchangeStandIn("national_platform", seed=1)
        app = make_app(database(backend, tmp, f"gjy_bench_exchange_{aggregates}"), tmp, standin)
        total = count if aggregates > 1 else min(count, 300)
        queue(app, total, aggregates)
        started = time.perf_counter()
        with app.app_context():
            sent = dispatch_outbox(max_rounds=10**6)
        elapsed = time.perf_counter() - started
        assert sent == total == standin.effect_count, (sent, total, standin.effect_count)
        print(f"outbound, {label}: {total} messages in {elapsed:.1f} s = {total / elapsed:.0f} messages/s")
        standin.stop()


def inbound(backend: str, tmp: Path, count: int) -> None:
    standin = ExchangeStandIn("national_platform")
    app = make_app(database(backend, tmp, "gjy_bench_inbound"), tmp, standin)
    client = app.test_client()
    bodies = []
    for n in range(count):
        envelope = {"message_id": f"bench-{n}", "kind": "enterprise", "schema_version": 1,
                    "payload": {"credit_code": credit_code(f"91450100MA{n:07d}"), "name": f"基准企业{n}",
                                "enterprise_type": "建筑业企业", "region_code": "450100"}}
        bodies.append(json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
    started = time.perf_counter()
    for body in bodies:
        answer = client.post("/api/v1/exchange/inbound/national_platform", data=body, content_type="application/json",
                             headers=signed_headers(INBOUND_KEY, body))
        assert answer.status_code == 200 and answer.json["status"] == "applied", answer.json
    elapsed = time.perf_counter() - started
    print(f"inbound (signed, stored, validated, applied; Flask test client): {count} in {elapsed:.1f} s = "
          f"{count / elapsed:.0f} messages/s")
    standin.stop()


def dispatcher(url: str, tmp: Path, standin: ExchangeStandIn) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "GJY_WORKER": "off",
           "UPLOAD_DIR": str(tmp / "uploads"), "GJY_EXCHANGE_NATIONAL_PLATFORM_URL": standin.url,
           "GJY_EXCHANGE_NATIONAL_PLATFORM_TIMEOUT": "0.3", "GJY_EXCHANGE_BACKOFF_SECONDS": "0.05",
           "GJY_EXCHANGE_BACKOFF_CAP_SECONDS": "0.5", "GJY_EXCHANGE_LEASE_SECONDS": "2",
           "GJY_EXCHANGE_MAX_ATTEMPTS": "1000"}
    env.pop("GJY_DEMO", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "exchange", "dispatch", "--loop",
                             "--interval", "0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def chaos(backend: str, tmp: Path, count: int, kills: int) -> bool:
    standin = ExchangeStandIn("national_platform", seed=22)
    standin.fail_share, standin.timeout_share, standin.delay = 0.5, 0.1, 0.6
    url = database(backend, tmp, "gjy_bench_chaos")
    app = make_app(url, tmp, standin)
    queue(app, count, aggregates=count // 10)
    started = time.perf_counter()
    process = dispatcher(url, tmp, standin)
    for kill in range(1, kills + 1):  # kill -9 when a share of the work is done, then restart
        while delivered(app) < count * kill // (kills + 1):
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait()
        print(f"  kill -9 #{kill} after {delivered(app)} delivered, {standin.calls} calls; restarted")
        process = dispatcher(url, tmp, standin)
    while delivered(app) < count:
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    process.wait()
    elapsed = time.perf_counter() - started
    effects = standin.effect_count
    print(f"chaos: {count} reports, stand-in failing 50 % and timing out 10 %, dispatcher killed {kills}x: "
          f"{effects} effects, {standin.calls} calls, {elapsed:.1f} s")
    standin.stop()
    return effects == count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--inbound", type=int, default=1000)
    parser.add_argument("--chaos", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        print(f"backend: {args.backend}")
        if args.messages:
            throughput(args.backend, tmp, args.messages)
        if args.inbound:
            inbound(args.backend, tmp, args.inbound)
        if args.chaos and not chaos(args.backend, tmp, args.chaos, args.kills):
            print("FAILED: the effect count differs from the number of reports")
            sys.exit(1)


if __name__ == "__main__":
    main()
