"""The server side of bench/http_load.py: code versions, their databases, gunicorn processes, CPU from /proc.

Nothing here imports the app: each code version is prepared through its own CLI (`flask db upgrade`,
`flask procedures deploy`, `flask demo seed`, `flask users token`) and served by its own gunicorn, with
PYTHONPATH and the working directory set to that version's folder. The rows the benchmark adds (fresh
project-personnel locks) are written with SQLAlchemy Core against reflected tables, which the old and the
new code share.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import MetaData, create_engine, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# As for bench/dashboard.py: GJY_BENCH_PG_ADMIN_URL points elsewhere.
PG_ADMIN = os.environ.get("GJY_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CLK_TCK = os.sysconf("SC_CLK_TCK")
ENTERPRISE_USER, CITY_USER = "ent-nanning", "city-nanning"


class BenchError(RuntimeError):
    """A set-up step failed (the message says which and shows the tool's output)."""


# -- code versions --------------------------------------------------------------------------------------
@dataclass
class CodeVersion:
    label: str          # "old" (the baseline ref) or "new" (the working tree)
    directory: Path
    description: str


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode:
        raise BenchError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def working_tree() -> CodeVersion:
    head = _git("rev-parse", "--short", "HEAD")
    dirty = " + uncommitted changes" if _git("status", "--porcelain", "--untracked-files=no") else ""
    return CodeVersion("new", ROOT, f"working tree {ROOT} (HEAD {head}{dirty})")


def export_ref(ref: str, into: Path) -> CodeVersion:
    """`git archive` of REF into a folder: the repository and its worktrees are left as they are."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    into.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", "--format=tar", commit], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(into, filter="data")
    if archive.wait():
        raise BenchError(f"git archive {commit} failed")
    return CodeVersion("old", into, f"baseline {ref} = {commit[:10]} (git archive in {into})")


# -- databases ------------------------------------------------------------------------------------------
def postgres_problem() -> str | None:
    """None when the PostgreSQL admin URL answers; else why not."""
    try:
        engine = create_engine(PG_ADMIN, poolclass=NullPool, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means: skip the backend, with the reason
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


@dataclass
class Database:
    backend: str
    url: str
    name: str  # the PostgreSQL database name, or the SQLite file

    @classmethod
    def create(cls, backend: str, label: str, tmp: Path) -> Database:
        if backend == "sqlite":
            path = tmp / f"{label}.sqlite3"
            return cls(backend, f"sqlite:///{path}", str(path))
        name = f"gjy_bench_http_{label}_{os.getpid()}"
        _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        return cls(backend, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, name)

    def drop(self) -> None:
        if self.backend == "postgresql":
            _pg_admin_execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def drop_stale_databases() -> list[str]:
    """Databases an earlier run left behind when it was killed (its pid, in the name, runs no more)."""
    engine = create_engine(PG_ADMIN, poolclass=NullPool)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'gjy\\_bench\\_http\\_%'"))
        pids = {n: n.rsplit("_", 1)[-1] for n in names.scalars()}
    stale = [name for name, pid in pids.items() if pid.isdigit() and not _running(int(pid))]
    for name in stale:
        _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return stale


def _running(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _pg_admin_execute(*statements: str) -> None:
    engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))


def app_environment(code: CodeVersion, db: Database, uploads: Path, extra_path: Path | None = None) -> dict[str, str]:
    """What the app reads (app/config.py), for the CLI and gunicorn; PYTHONPATH puts the version's folder
    first (before the virtualenv's editable finder, which would load another checkout's `app`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GJY_", "FLASK_"))}
    paths = [str(code.directory)] + ([str(extra_path)] if extra_path else [])
    env.update(DATABASE_URL=db.url, SECRET_KEY="bench-http", UPLOAD_DIR=str(uploads), GJY_DEMO="1",
               GJY_WORKER="off", FLASK_APP="wsgi.py", PYTHONPATH=os.pathsep.join(paths))
    return env


def flask_cli(code: CodeVersion, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=code.directory, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise BenchError(f"[{code.label}] flask {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


def prepare_database(code: CodeVersion, env: dict[str, str]) -> dict[str, str]:
    """Migrate, deploy bpmn/, seed the demo world (the Makefile's `run` steps); bearer tokens by user name."""
    flask_cli(code, env, "db", "upgrade")
    flask_cli(code, env, "procedures", "deploy")
    flask_cli(code, env, "demo", "seed")
    return {user: flask_cli(code, env, "users", "token", user).strip().splitlines()[-1]
            for user in (ENTERPRISE_USER, CITY_USER)}


def _id_number(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


class LockFactory:
    """Fresh locks of ent-nanning: a person and a project each, written with Core against reflected tables
    (the schema of persons, projects and project_locks is the same in the old and the new code, but for the
    encryption of ID numbers and phones: where `persons` has `id_number_hash`, the rows are written in clear
    and `encrypt_rows` (the version's own `flask keys rotate`, which encrypts clear legacy values and computes
    their hashes) is run before they are used, so that the bench never needs the app's key or its code)."""

    def __init__(self, url: str, encrypt_rows: Callable[[], object] | None = None) -> None:
        self.engine: Engine = create_engine(url, poolclass=NullPool)  # no idle connection during a window
        meta = MetaData()
        meta.reflect(self.engine, only=["persons", "projects", "project_locks", "users"])
        self.persons, self.projects, self.locks = (meta.tables[t] for t in ("persons", "projects", "project_locks"))
        users = meta.tables["users"]
        with self.engine.connect() as conn:
            self.enterprise_id = conn.execute(
                select(users.c.organisation_id).where(users.c.username == ENTERPRISE_USER)).scalar_one()
            self.taken = set(conn.execute(select(self.persons.c.id_number)).scalars())
        self.serial = 0
        self.encrypt_rows = encrypt_rows if "id_number_hash" in self.persons.c else None

    def _next_id_number(self) -> str:
        while True:
            self.serial += 1
            born = date(1960, 1, 1) + timedelta(days=self.serial // 900)
            number = _id_number(f"450103{born:%Y%m%d}{100 + self.serial % 900:03d}")
            if number not in self.taken:
                self.taken.add(number)
                return number

    def create(self, count: int) -> list[int]:
        """`count` new active locks (one person on one project each); their ids in order."""
        now = datetime.now(UTC)
        numbers = [self._next_id_number() for _ in range(count)]
        with self.engine.begin() as conn:
            person_ids = conn.execute(insert(self.persons).returning(self.persons.c.id, sort_by_parameter_order=True), [
                {"id_number": n, "name": f"压测{n[-5:-1]}", "phone": "13907710000", "employer_id": self.enterprise_id,
                 "status": "in_service", "created_at": now} for n in numbers]).scalars().all()
            project_ids = conn.execute(
                insert(self.projects).returning(self.projects.c.id, sort_by_parameter_order=True), [
                    {"code": f"BENCH{n}", "permit_number": f"4501002026{n[-6:]}", "name": f"压测工程{n[-6:]}",
                     "region_code": "450100", "construction_unit": "南宁市城市建设投资集团",
                     "entry_org_id": self.enterprise_id, "data_level": "B", "stage": "in_progress", "created_at": now}
                    for n in numbers]).scalars().all()
            lock_ids = list(conn.execute(insert(self.locks).returning(self.locks.c.id, sort_by_parameter_order=True), [
                {"project_id": project, "person_id": person, "enterprise_id": self.enterprise_id,
                 "role": "project_manager", "active": True, "locked_at": now, "released_at": None,
                 "relock_at": None, "released_by_case_id": None}
                for person, project in zip(person_ids, project_ids, strict=True)]).scalars())
        if self.encrypt_rows is not None:
            self.encrypt_rows()
        return lock_ids

    def close(self) -> None:
        self.engine.dispose()


# -- gunicorn -------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the driver dies, even by SIGKILL (Linux prctl)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Gunicorn:
    """gunicorn serving one code version on a free port of 127.0.0.1: `--chdir` into the version's folder,
    its own gunicorn.conf.py given explicitly with -c (the masking logger; no access log), sync workers."""

    code: CodeVersion
    env: dict[str, str]
    log: Path
    workers: int = 4
    module: str = "wsgi:app"
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def command(self) -> list[str]:
        conf = self.code.directory / "gunicorn.conf.py"
        config = ["-c", str(conf)] if conf.exists() else ["-c", os.devnull]
        return [sys.executable, "-m", "gunicorn", *config, "--chdir", str(self.code.directory),
                "--workers", str(self.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "120", "--log-level", "warning", self.module]

    def start(self) -> None:
        for _attempt in range(3):  # the free port may be taken between probing and binding
            self.port = free_port()
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(self.command(), cwd=self.code.directory, env=self.env,
                                                stdout=log, stderr=log, start_new_session=True,
                                                preexec_fn=_die_with_parent)
            if self._wait_ready():
                return
            self.stop()
        raise BenchError(f"[{self.code.label}] gunicorn did not start; its log {self.log}:\n{self._log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"

    def pids(self) -> list[int]:
        if self.process is None:
            return []
        return [self.process.pid, *children_of(self.process.pid)]

    def cpu_ticks(self) -> dict[int, int]:
        """utime+stime of the master and each worker; the master's also counts workers it reaped."""
        if self.process is None:
            return {}
        ticks = {pid: cpu_ticks_of(pid) for pid in children_of(self.process.pid)}
        ticks[self.process.pid] = cpu_ticks_of(self.process.pid, with_reaped_children=True)
        return ticks

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # the master stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: master and workers
            process.wait(timeout=10)


# -- CPU from /proc -------------------------------------------------------------------------------------
def cpu_ticks_of(pid: int, with_reaped_children: bool = False) -> int:
    """Clock ticks of user+sys CPU of a process (0 when it is gone or unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    # fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17
    used = int(fields[11]) + int(fields[12])
    return used + (int(fields[13]) + int(fields[14]) if with_reaped_children else 0)


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cpu_seconds(before: dict[int, int], after: dict[int, int], parent_reaps: bool) -> float:
    """CPU used between two snapshots. With `parent_reaps` (a gunicorn master counts its reaped workers) a
    process gone by the end is already inside its parent's figure; otherwise its last interval is lost."""
    if parent_reaps:
        used = sum(after.values()) - sum(before.values())
    else:
        used = sum(t - before.get(pid, 0) for pid, t in after.items())
    return max(used, 0) / CLK_TCK


class PostgresBackends:
    """CPU of the PostgreSQL backend processes connected to one database (pids from pg_stat_activity, read
    through a connection to the admin database, so the reader is not among them). Only processes this
    machine's /proc shows are counted: for a PostgreSQL elsewhere the figure is left out."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.engine = create_engine(PG_ADMIN, pool_size=1, max_overflow=0)

    def cpu_ticks(self) -> dict[int, int]:
        with self.engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                {"d": self.database}).scalars().all()
        return {pid: cpu_ticks_of(pid) for pid in pids if Path(f"/proc/{pid}").exists()}

    def close(self) -> None:
        self.engine.dispose()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)

