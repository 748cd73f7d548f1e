"""Engine benchmark: case lifecycles per second (service layer, HTTP, bare SpiffWorkflow) and the
task-list query with 100,000 cases, on SQLite and PostgreSQL.

Usage: .venv/bin/python bench/engine.py [--cases 200] [--rounds 5] [--list-cases 100000]
                                        [--backends sqlite,postgresql]
Prints figures; asserts nothing. The lifecycle is the engine-test procedure `material_review`
(start -> submit -> claim -> review approve -> service-task handler -> completed); over HTTP it is
served by gunicorn with one sync worker, as in production (bench/fixture_wsgi.py).

The machine's speed drifts by tens of percent from minute to minute, so the bare engine and each path
are timed in alternating rounds and the medians are reported: a ratio is taken between runs made
seconds apart. Time spent inside database calls (statements and commits) is measured beside the
service-layer rate: with it, the bare engine's time sets the best rate any design making the same
database calls could reach.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from app import create_app  # noqa: E402
from app.db import unit_of_work  # noqa: E402
from app.extensions import db  # noqa: E402
from app.services.cases import lifecycle as cases  # noqa: E402
from app.services.demo import seed_demo  # noqa: E402
from app.services.identity.accounts import get_user_by_username, issue_token  # noqa: E402
from app.services.procedures.versions import deploy_procedures  # noqa: E402
from app.services.tasks import lists as task_lists  # noqa: E402
from app.services.tasks import work as tasks  # noqa: E402
from tests.support import procedures as fixture  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SUBMIT = {"title": "钢筋进场检验报告", "amount": 120}
APPROVE = {"decision": "approve"}


def make_database(backend: str, tmp: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / (name + '.sqlite3')}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def prepared_app(url: str, tmp: Path) -> Any:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DEMO": True, "WORKER": "off", "SECRET_KEY": "bench",
                      "UPLOAD_DIR": str(tmp / "uploads"), "EXTRA_HANDLER_MODULES": ("tests.support.procedures",)})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
            deploy_procedures(fixture.BPMN_DIR, fixture.FORMS_DIR)
    return app


class DatabaseTime:
    """Counts statements and commits and the time spent inside them (the driver's calls)."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.seconds, self.statements, self.commits = engine, 0.0, 0, 0
        self._started = 0.0

    def __enter__(self) -> DatabaseTime:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        dialect = self.engine.dialect
        plain_commit = type(dialect).do_commit

        def timed_commit(connection: Any) -> None:
            started = time.perf_counter()
            plain_commit(dialect, connection)
            self.seconds += time.perf_counter() - started
            self.commits += 1
        dialect.do_commit = timed_commit
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        del self.engine.dialect.do_commit

    def _before(self, *args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started
        self.statements += 1


def lifecycle_service(app: Any, n: int) -> float:
    with app.app_context():
        ent, city = get_user_by_username("ent-nanning"), get_user_by_username("city-nanning")
        started = time.perf_counter()
        for _ in range(n):
            with unit_of_work():
                case = cases.start_case(ent, "material_review")
                first = cases.open_tasks_of(case)[0].id
            with unit_of_work():
                tasks.complete_task(ent, first, dict(SUBMIT))
            with unit_of_work():
                review = cases.open_tasks_of(db.session.get(type(case), case.id))[0].id
                tasks.claim_task(city, review)
            with unit_of_work():
                tasks.complete_task(city, review, dict(APPROVE))
        return n / (time.perf_counter() - started)


@contextmanager
def gunicorn_serving(url: str, tmp: Path) -> Iterator[int]:
    """The app as production serves it (gunicorn, one sync worker) on a free port of 127.0.0.1, on the
    same database as the service-layer path."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "GJY_DEMO": "1", "GJY_WORKER": "off",
           "UPLOAD_DIR": str(tmp / "uploads")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--pythonpath", str(ROOT / "bench"), "--log-level", "warning", "fixture_wsgi:app"],
                              env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def api_tokens(app: Any) -> dict[str, str]:
    with app.app_context(), unit_of_work():
        return {u: issue_token(get_user_by_username(u)) for u in ("ent-nanning", "city-nanning")}


def lifecycle_http(port: int, tokens: dict[str, str], n: int) -> float:
    def call(user: str, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Bearer {tokens[user]}", "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = json.loads(response.read() or b"null")
        conn.close()
        assert response.status < 300, payload
        return payload

    started = time.perf_counter()
    for _ in range(n):
        case = call("ent-nanning", "POST", "/api/v1/cases", {"procedure": "material_review", "data": {}})
        call("ent-nanning", "POST", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", {"data": SUBMIT})
        review = call("ent-nanning", "GET", f"/api/v1/cases/{case['id']}")["open_tasks"][0]["id"]
        call("city-nanning", "POST", f"/api/v1/tasks/{review}/claim", {})
        call("city-nanning", "POST", f"/api/v1/tasks/{review}/complete", {"data": APPROVE})
    return n / (time.perf_counter() - started)


def lifecycle_bare(n: int) -> float:
    """The same diagram run by bare SpiffWorkflow in memory, one serialize/deserialize per step."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    class Env(TaskDataEnvironment):
        def call_service(self, context: Any, **kwargs: Any) -> str:
            return json.dumps({"registered": True})

    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(fixture.BPMN_DIR / "material_review.bpmn"))
    spec, subs = parser.get_spec("material_review"), parser.get_subprocess_specs("material_review")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = PythonScriptEngine(environment=Env())

    def step(state: str, data: dict[str, Any]) -> str:
        wf = serializer.deserialize_json(state)
        wf.script_engine = engine
        task = wf.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(**data)
        task.run()
        wf.do_engine_steps()
        return serializer.serialize_json(wf)

    started = time.perf_counter()
    for _ in range(n):
        wf = BpmnWorkflow(spec, subs, script_engine=engine)
        wf.do_engine_steps()
        state = step(serializer.serialize_json(wf), SUBMIT)
        state = step(state, APPROVE)
        assert serializer.deserialize_json(state).is_completed()
    return n / (time.perf_counter() - started)


def load_many_cases(app: Any, count: int) -> None:
    """Bulk-load `count` cases over the 14 cities (a tenth in Nanning), each with its review task:
    one case in twenty still open (an unclaimed review), the others completed, as in a working year."""
    with app.app_context():
        version_id = db.session.execute(text("SELECT id FROM procedure_versions ORDER BY id DESC LIMIT 1")).scalar()
        ent = get_user_by_username("ent-nanning")
        cities = ["450100"] + [f"45{c:02d}00" for c in range(2, 15)]
        batch = 5000
        for offset in range(0, count, batch):
            rows = [{"n": f"BN-2026-{i:07d}", "v": version_id, "org": ent.organisation_id, "u": ent.id,
                     "r": cities[0] if i % 10 == 0 else cities[1 + i % 13],
                     "s": "running" if i % 19 == 3 else "completed"}
                    for i in range(offset, min(count, offset + batch))]
            db.session.execute(text(
                "INSERT INTO cases (number, procedure_key, procedure_version_id, status, title, applicant_org_id,"
                " started_by_id, region_code, data, lock_version, created_at, updated_at) VALUES (:n,"
                " 'material_review', :v, :s, '基准办件', :org, :u, :r, '{}', 1, CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"), rows)
            db.session.execute(text(
                "INSERT INTO tasks (id, case_id, bpmn_id, title, lane, role, scope, region_code, form_key, status,"
                " created_at, due_at, properties) SELECT 'bench-' || c.id, c.id, 'review', '审核材料', '市级住建部门',"
                " 'city_reviewer', 'case_city', c.region_code, 'review_decision',"
                " CASE c.status WHEN 'running' THEN 'open' ELSE 'completed' END, c.created_at,"
                " c.created_at, '{}' FROM cases c WHERE c.number >= :lo AND c.number <= :hi"),
                {"lo": rows[0]["n"], "hi": rows[-1]["n"]})
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # VACUUM too: otherwise autovacuum may visit the fresh rows while the query is timed.
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE cases"))
                conn.execute(text("VACUUM ANALYZE tasks"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def time_task_list(app: Any, repeats: int) -> tuple[float, float, int]:
    with app.app_context():
        city = get_user_by_username("city-nanning")
        timings = []
        total = 0
        for _ in range(repeats):
            started = time.perf_counter()
            items, total = task_lists.list_tasks(city, task_lists.TaskFilter(view="claimable", per_page=20))
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
        timings.sort()
        return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], total


def alternating(rounds: int, per_round: int, path: Any) -> tuple[float, float, float]:
    """Median rates of `path` and of the bare engine, timed in alternating rounds, and the median of
    the per-round ratios."""
    rates, bares = [], []
    for _ in range(rounds):
        bares.append(lifecycle_bare(per_round))
        rates.append(path(per_round))
    ratios = [r / b for r, b in zip(rates, bares, strict=True)]
    return statistics.median(rates), statistics.median(bares), statistics.median(ratios)


def database_share(app: Any, n: int) -> dict[str, float]:
    """Statements, commits and milliseconds inside database calls per service-layer lifecycle."""
    with app.app_context():
        engine = db.engine
    with DatabaseTime(engine) as measured:
        started = time.perf_counter()
        lifecycle_service(app, n)
        total = time.perf_counter() - started
    return {"statements": measured.statements / n, "commits": measured.commits / n,
            "db_ms": measured.seconds / n * 1000, "total_ms": total / n * 1000}


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="gjy-bench-"))
    url = make_database(backend, tmp, "gjy_bench_life")
    app = prepared_app(url, tmp)
    lifecycle_service(app, 20)  # warm caches (parsed specs, calendar, compiled statements)
    per_round = max(1, args.cases // args.rounds)
    service, bare, service_ratio = alternating(args.rounds, per_round, lambda k: lifecycle_service(app, k))
    share = database_share(app, per_round)
    tokens = api_tokens(app)
    with gunicorn_serving(url, tmp) as port:
        lifecycle_http(port, tokens, 5)  # the worker's first requests parse the procedure
        over_http, _bare, http_ratio = alternating(args.rounds, per_round, lambda k: lifecycle_http(port, tokens, k))
    list_app = prepared_app(make_database(backend, tmp, "gjy_bench_list"), tmp)
    started = time.perf_counter()
    load_many_cases(list_app, args.list_cases)
    load_seconds = time.perf_counter() - started
    p50, p95, total = time_task_list(list_app, args.repeats)
    return {"backend": backend, "service": service, "bare": bare, "service_ratio": service_ratio,
            "http": over_http, "http_ratio": http_ratio, "p50": p50, "p95": p95, "claimable": total,
            "load_s": load_seconds, **share}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200, help="lifecycles per measurement")
    parser.add_argument("--list-cases", type=int, default=100_000, help="cases loaded for the task-list query")
    parser.add_argument("--repeats", type=int, default=200, help="task-list queries timed")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (bare engine, then the path)")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        r = run(backend, args)
        bare_ms = 1000 / r["bare"]
        cap = 1000 / (r["db_ms"] + bare_ms)
        print(f"[{backend}] bare SpiffWorkflow, in memory, serialize+deserialize per step: "
              f"{r['bare']:7.1f} lifecycles/s")
        print(f"[{backend}] service layer: {r['service']:7.1f} lifecycles/s ({r['service_ratio']:5.1%} of bare)"
              f" | HTTP (gunicorn): {r['http']:7.1f} lifecycles/s ({r['http_ratio']:5.1%} of bare)"
              f"   (medians of {args.rounds} rounds)")
        print(f"[{backend}] per service-layer lifecycle: {r['statements']:.0f} statements, "
              f"{r['commits']:.0f} commits,"
              f" {r['db_ms']:.1f} of {r['total_ms']:.1f} ms inside database calls; with only those and the bare"
              f" engine's {bare_ms:.1f} ms the rate would be {cap:.0f}/s ({cap / r['bare']:.0%} of bare)")
        print(f"[{backend}] task list (claimable, page of 20) with {args.list_cases:,} cases "
              f"({r['claimable']:,} claimable for city-nanning; loaded in {r['load_s']:.0f} s): "
              f"p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms")


if __name__ == "__main__":
    main()
