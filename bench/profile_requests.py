"""Where a request's time goes, in process: the personnel-unlock lifecycle with one 补正 return (the shape
bench/http_load.py drives through gunicorn), run through Flask's test client, with the statements and the
time of each request kind, and optionally a cProfile of one kind.

Usage: .venv/bin/python bench/profile_requests.py [--backend sqlite|postgresql] [--lifecycles 30]
                                                  [--profile complete|all] [--top 40] [--statements KIND]
       GJY_CODE=/path/to/other/checkout ... measures that checkout's code instead (e.g. an older commit).
Prints figures; asserts nothing but the answers' status codes (a refused request is a broken lifecycle).
It is a developer's tool beside the load driver: no HTTP server, no parallel clients, one process.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("GJY_CODE", Path(__file__).resolve().parent.parent))  # the code measured
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402

from app import create_app  # noqa: E402
from app.db import unit_of_work  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import LockRole, Organisation, Person, Project, ProjectLock  # noqa: E402
from app.services.demo import id_number, seed_demo  # noqa: E402

try:  # the code as it is now
    from app.services.identity.accounts import get_user_by_username, issue_token
    from app.services.procedures.versions import deploy_procedures
except ImportError:  # an earlier layout (run with PYTHONPATH on a checkout of an older commit, to compare)
    from app.services.accounts import get_user_by_username, issue_token  # type: ignore[no-redef]

    from app.services.procedures import deploy_procedures  # type: ignore[no-redef]

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = os.environ.get("GJY_PROFILE_DB", "gjy_profile")  # two runs side by side need two
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def database(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'profile.sqlite3'}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE


def prepared_app(url: str, tmp: Path, locks: int) -> tuple[Any, list[int]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DEMO": True, "WORKER": "off", "SECRET_KEY": "bench",
                      "UPLOAD_DIR": str(tmp / "uploads")})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        with unit_of_work():
            seed_demo()
            deploy_procedures(ROOT / "bpmn", ROOT / "forms")
            lock_ids = _more_locks(locks)
    return app, lock_ids


def _more_locks(count: int) -> list[int]:
    """`count` project managers of ent-nanning's enterprise, each locked to a project of Nanning."""
    enterprise = get_user_by_username("ent-nanning").organisation
    assert isinstance(enterprise, Organisation)
    locks = []
    for i in range(count):
        person = Person(id_number=id_number(f"45010219800101{i:03d}"), name=f"测试人员{i}",
                        employer_id=enterprise.id, phone="13907710000")
        project = Project(code=f"450100B9{i:04d}", permit_number=f"45010099{i:06d}", name=f"基准项目{i}",
                          region_code="450100", construction_unit="南宁市建设单位", entry_org_id=enterprise.id,
                          data_level="B")
        db.session.add_all([person, project])
        db.session.flush()
        lock = ProjectLock(project_id=project.id, person_id=person.id, enterprise_id=enterprise.id,
                           role=LockRole.PROJECT_MANAGER)
        db.session.add(lock)
        db.session.flush()
        locks.append(lock.id)
    return locks


class Recorder:
    """Statements and seconds per request kind; one kind may be profiled."""

    def __init__(self, app: Any, profiled: str | None) -> None:
        self.app, self.profiled = app, profiled
        self.statements: dict[str, list[int]] = defaultdict(list)
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.profile = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the database
        self._count = 0
        self.last: list[str] = []
        self.shown: set[tuple[str, int]] = set()
        self.show: str | None = None
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._counted)

    def _counted(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._count += 1
        self.last.append(statement)

    def call(self, kind: str, method: str, path: str, token: str, expect: int, **kwargs: Any) -> Any:
        client = self.app.test_client()
        self._count, self.last = 0, []
        profiled = self.profiled in (kind, "all")
        if profiled:
            self.profile.enable()
        started, cpu = time.perf_counter(), time.process_time()
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiled:
            self.profile.disable()
        if response.status_code != expect:
            raise RuntimeError(f"{kind}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        self.statements[kind].append(self._count)
        self.seconds[kind].append(elapsed)
        self.cpu[kind].append(cpu)
        if self.show in (kind, "all") and (kind, len(self.last)) not in self.shown:
            self.shown.add((kind, len(self.last)))
            print(f"--- {kind} {path}: {len(self.last)} statements")
            for statement in self.last:
                print("   ", " ".join(statement.split())[:160])
        return response.get_json()


def lifecycle(rec: Recorder, ent: str, city: str, lock_id: int) -> None:
    case = rec.call("start", "POST", "/api/v1/cases", ent, 201, json={"procedure": "personnel_unlock"})
    case_id, task_id = case["id"], case["open_tasks"][0]["id"]

    def upload(name: str) -> str:
        return str(rec.call("upload", "POST", f"/api/v1/cases/{case_id}/attachments", ent, 201,
                            data={"file": (io.BytesIO(PDF), name)}, content_type="multipart/form-data")["id"])

    form = {"kind": "penalty", "lock_ids": [lock_id], "reason": "该人员受到行政处罚，申请解锁",
            "application_files": [upload("申请表.pdf")], "penalty_files": [upload("处罚决定书.pdf")]}
    rec.call("complete", "POST", f"/api/v1/tasks/{task_id}/complete", ent, 200, json={"data": form})
    decisions = [{"decision": "return", "comment": "处罚决定书不清晰", "missing_items": ["penalty_files"]},
                 {"decision": "approve"}]
    for round_no, decision in enumerate(decisions):
        listed = rec.call("list", "GET", "/api/v1/tasks?view=claimable&per_page=20", city, 200)
        review = next(t for t in listed["items"] if t["case_id"] == case_id)
        rec.call("claim", "POST", f"/api/v1/tasks/{review['id']}/claim", city, 200)
        rec.call("task", "GET", f"/api/v1/tasks/{review['id']}", city, 200)
        rec.call("complete", "POST", f"/api/v1/tasks/{review['id']}/complete", city, 200, json={"data": decision})
        if round_no == 0:
            mine = rec.call("list", "GET", "/api/v1/tasks?view=claimable&per_page=20", ent, 200)
            again = next(t for t in mine["items"] if t["case_id"] == case_id)
            rec.call("task", "GET", f"/api/v1/tasks/{again['id']}", ent, 200)
            supplement = {**form, "penalty_files": [upload("处罚决定书（清晰）.pdf")]}
            rec.call("complete", "POST", f"/api/v1/tasks/{again['id']}/complete", ent, 200,
                     json={"data": supplement})
    rec.call("case", "GET", f"/api/v1/cases/{case_id}", ent, 200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--lifecycles", type=int, default=30)
    parser.add_argument("--profile", default=None, help="a request kind to profile (start, complete, list ...)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--statements", default=None, help="print the SQL of each request of this kind (or all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        app, locks = prepared_app(database(args.backend, tmp), tmp, args.lifecycles + 2)
        with app.app_context(), unit_of_work():
            ent, city = (issue_token(get_user_by_username(u)) for u in ("ent-nanning", "city-nanning"))
        rec = Recorder(app, None)
        lifecycle(rec, ent, city, locks[-1])  # warm: parsed specs, compiled statements
        rec = Recorder(app, args.profile)
        rec.show = args.statements
        started = time.perf_counter()
        for lock_id in locks[:args.lifecycles]:
            lifecycle(rec, ent, city, lock_id)
        elapsed = time.perf_counter() - started
        requests = sum(len(v) for v in rec.seconds.values())
        print(f"{args.backend}: {args.lifecycles} lifecycles in {elapsed:.2f} s, {requests} requests, "
              f"{elapsed / requests * 1000:.1f} ms per request, "
              f"{sum(sum(v) for v in rec.statements.values()) / args.lifecycles:.0f} statements per lifecycle")
        cpu = sum(sum(v) for v in rec.cpu.values())
        print(f"CPU of this process: {cpu / requests * 1000:.1f} ms per request")
        print(f"{'kind':10} {'n':>5} {'statements':>10} {'p50 ms':>8} {'mean ms':>8} {'cpu ms':>8}")
        for kind in rec.seconds:
            times = rec.seconds[kind]
            print(f"{kind:10} {len(times):5} {statistics.mean(rec.statements[kind]):10.1f} "
                  f"{statistics.median(times) * 1000:8.2f} {statistics.mean(times) * 1000:8.2f} "
                  f"{statistics.mean(rec.cpu[kind]) * 1000:8.2f}")
        if args.profile:
            stats = pstats.Stats(rec.profile)
            if os.environ.get("GJY_PROFILE_DUMP"):
                stats.dump_stats(os.environ["GJY_PROFILE_DUMP"])
            by_library(stats)
            stats.sort_stats(os.environ.get("GJY_PROFILE_SORT", "cumulative")).print_stats(args.top)


def by_library(stats: pstats.Stats) -> None:
    """Own time (tottime) summed by the package the function lives in."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        parts = filename.split("site-packages/")
        package = parts[1].split("/")[0] if len(parts) > 1 else (
            "app/" + filename.split("/app/")[1].split("/")[0] if "/app/" in filename else
            "handlers" if "/handlers/" in filename else filename.rsplit("/", 1)[-1])
        totals[package] += row[2]
    whole = sum(totals.values())
    for package, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {package:40} {seconds * 1000:8.1f} ms  {seconds / whole * 100:5.1f} %")


if __name__ == "__main__":
    main()
