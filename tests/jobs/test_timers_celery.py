"""Two real Celery worker processes on the real Redis broker, one PostgreSQL database: each due timer fires once.

Skipped with a reason where Redis is not reachable, except with GJY_REQUIRE_PG=1 (CI), where it must run.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from freezegun import freeze_time
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.models import Case, CaseEvent, Task
from tests.conftest import TEST_DATA_KEY
from tests.support.deadlines import deploy_probes

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_DB = os.environ.get("GJY_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CASES, JOBS = 6, 8


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_broker() -> str:
    if not _redis_reachable():
        if os.environ.get("GJY_REQUIRE_PG") == "1":
            pytest.fail("GJY_REQUIRE_PG=1 but Redis is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis is not reachable at 127.0.0.1:6379: the two-worker Celery test needs a real broker")
    return REDIS_DB


@pytest.fixture
def workers(database_url: str, redis_broker: str) -> Iterator[tuple[Celery, str]]:
    """Two `celery worker` processes consuming a queue of their own; a client app to send them jobs."""
    if not database_url.startswith("postgresql"):
        pytest.skip("two worker processes share one database: the PostgreSQL run covers it")
    queue = f"gjy-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": redis_broker,
           "CELERY_RESULT_BACKEND": redis_broker, "GJY_WORKER": "celery", "GJY_DEMO": "1",
           "GJY_DATA_KEY": TEST_DATA_KEY}
    celery_bin = str(Path(sys.executable).parent / "celery")
    procs = [subprocess.Popen(
        [celery_bin, "-A", "worker", "worker", "-P", "solo", "-Q", queue, "-n", f"{name}-{queue}@%h",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for name in ("w1", "w2")]
    client = Celery("gjy-test-client", broker=redis_broker, backend=redis_broker)
    try:
        deadline = time.monotonic() + 60
        while len(client.control.ping(timeout=1.0, destination=[f"{n}-{queue}@{socket.gethostname()}"
                                                                for n in ("w1", "w2")]) or []) < 2:
            assert all(p.poll() is None for p in procs), "a worker exited at start"
            assert time.monotonic() < deadline, "the workers did not start within 60 s"
        yield client, queue
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        client.close()


@pytest.mark.committing  # Celery worker processes on the test's database
def test_two_workers_fire_each_due_timer_once(app: Any, as_user: Any, workers: tuple[Celery, str]) -> None:
    client, queue = workers
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(utcnow() - timedelta(hours=2)):  # timers of 1 h: all due now
        case_ids = [ent.start("timer_probe").json["id"] for _ in range(CASES)]
    jobs = [client.send_task("gjy.fire_due_timers", queue=queue) for _ in range(JOBS)]
    fired = sum(int(job.get(timeout=120)) for job in jobs)
    assert fired == CASES  # the jobs raced over the same due cases; each case was fired by exactly one
    assert len({job.worker for job in jobs}) == 2  # both workers took jobs
    with app.app_context():
        per_case = dict(db.session.execute(select(CaseEvent.case_id, func.count()).where(
            CaseEvent.kind == "timer_fired").group_by(CaseEvent.case_id)).all())
        tasks = dict(db.session.execute(select(Task.case_id, func.count()).where(
            Task.bpmn_id == "after").group_by(Task.case_id)).all())
        waiting = db.session.scalar(select(func.count()).select_from(Case).where(Case.next_timer_at.is_not(None)))
    assert per_case == {case_id: 1 for case_id in case_ids}
    assert tasks == {case_id: 1 for case_id in case_ids}  # the domain effect: one follow-up task per case
    assert waiting == 0
