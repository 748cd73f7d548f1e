"""HTTP load benchmark: personnel-unlock lifecycles (one 补正 return each, 19 requests) driven from outside
against gunicorn with 4 sync workers, on SQLite and PostgreSQL, comparing the code at a baseline git ref
("old") with the working tree ("new") and bare SpiffWorkflow on the same diagram, in alternating rounds.

Usage: .venv/bin/python bench/http_load.py [--baseline 0ffc36d|none] [--clients 1,4,16] [--lifecycles 20]
                                           [--rounds 3] [--backends sqlite,postgresql] [--count-lifecycles 3]
                                           [--keep-temp]
       (or `make bench-http`). Prints figures; asserts nothing. PostgreSQL: postgres@127.0.0.1:5432 with
       trust auth (GJY_BENCH_PG_ADMIN_URL points elsewhere); where it does not answer,
       that backend is skipped with the reason.

What happens, per backend:
- The baseline ref is exported with `git archive` into a temporary folder (the repository and its
  worktrees are not touched); the working tree is used in place. Each version gets its own database
  (a SQLite file, or a temporary PostgreSQL database dropped at exit), prepared by that version's own CLI
  (`flask db upgrade`, `procedures deploy`, `demo seed`; tokens from `flask users token`), with PYTHONPATH
  and the working directory set to the version's folder.
- Statements per request are counted first, in a short pass of their own: gunicorn with one sync worker
  serves bench/counting_wsgi.py (the version's create_app plus a SQLAlchemy listener that reports the
  request's statements and commits in answer headers), two lifecycles warm it up, then
  --count-lifecycles lifecycles are counted. The timed rounds run the plain `wsgi:app`, not this module.
- Each version is then served by `gunicorn -c <its gunicorn.conf.py> --chdir <its folder> --workers 4
  --worker-class sync wsgi:app` on a free port of 127.0.0.1, warmed up with 8 lifecycles by 4 clients.
- For each client count, --rounds rounds; in each, every path runs --lifecycles lifecycles (at least two
  per client): old, new and bare SpiffWorkflow, in reverse order every other round (a drift within a
  round then favours no path). Each lifecycle unlocks a fresh project-personnel lock of ent-nanning,
  created before the path's window with SQLAlchemy Core against the reflected tables (an approved unlock
  releases its lock and a second application for a lock is refused).
- Clients are threads of this process, one http.client connection each (gunicorn's sync workers close
  every connection after its answer, so each request opens a new one, as behind a proxy). A lifecycle
  ends at the first unexpected status: it is reported as failed and not counted in the rate.

Figures, per client count: lifecycles/s (median of the rounds) and, as ratios, the median of the
per-round ratios (new/old, path/bare: the machine's speed drifts between minutes, so only figures taken
seconds apart are compared); latency p50/p95 per request kind over all rounds; CPU per request (medians
of the rounds): the gunicorn master and workers (user+sys from /proc/<pid>/stat over the window; "server
cores" is that CPU time over the window's wall time, at most the machine's cores), the PostgreSQL backends
connected to the version's database (pids from pg_stat_activity; the WAL writer, checkpointer and other
background processes are not included), and this driver (getrusage). The bare path is one thread of
this driver, the same for every client count; the servers use both cores.
"""
from __future__ import annotations

import argparse
import resource
import signal
import statistics
import sys
import tempfile
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from load_client import KINDS, BareEngine, Run, run_clients
from load_servers import (
    BENCH,
    PG_ADMIN,
    ROOT,
    BenchError,
    CodeVersion,
    Database,
    Gunicorn,
    LockFactory,
    PostgresBackends,
    app_environment,
    cpu_seconds,
    drop_stale_databases,
    export_ref,
    flask_cli,
    postgres_problem,
    prepare_database,
    remove_tree,
    working_tree,
)

WARM_UP_LIFECYCLES, WARM_UP_CLIENTS = 8, 4


@dataclass
class Window:
    """One path's measured run in one round."""

    rate: float
    requests: int
    failures: list[str]
    server_cpu: float = 0.0   # seconds
    db_cpu: float | None = None
    driver_cpu: float = 0.0
    run: Run | None = None


@dataclass
class Target:
    """One code version on one backend: its database, tokens, lock factory and timed server."""

    code: CodeVersion
    database: Database
    env: dict[str, str]
    tokens: dict[str, str]
    locks: LockFactory
    tmp: Path
    server: Gunicorn | None = None
    postgres: PostgresBackends | None = None
    statements: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.code.label


def _driver_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(target: Target, server: Gunicorn, lifecycles: int, clients: int) -> Window:
    lock_ids = target.locks.create(lifecycles)  # before the window
    server_before = server.cpu_ticks()
    db_before = target.postgres.cpu_ticks() if target.postgres else {}
    driver_before = _driver_cpu()
    run = run_clients(server.port, target.tokens, lock_ids, clients)
    driver = _driver_cpu() - driver_before
    server_cpu = cpu_seconds(server_before, server.cpu_ticks(), parent_reaps=True)
    db_after = target.postgres.cpu_ticks() if target.postgres else {}
    db_cpu = cpu_seconds(db_before, db_after, parent_reaps=False) if db_after else None
    return Window(run.completed / run.seconds, run.requests, run.failures, server_cpu, db_cpu, driver, run)


def measure_bare(bare: BareEngine, lifecycles: int) -> Window:
    before = _driver_cpu()
    seconds = bare.run(lifecycles)
    return Window(lifecycles / seconds, 0, [], driver_cpu=_driver_cpu() - before)


# -- set-up ---------------------------------------------------------------------------------------------
def prepare_target(code: CodeVersion, backend: str, tmp: Path, stack: ExitStack) -> Target:
    database = Database.create(backend, code.label, tmp)
    stack.callback(database.drop)
    env = app_environment(code, database, tmp / f"uploads-{code.label}")
    print(f"  [{code.label}] preparing {database.name} with its own CLI (db upgrade, procedures deploy, "
          "demo seed, users token)", flush=True)
    tokens = prepare_database(code, env)
    locks = LockFactory(database.url, encrypt_rows=lambda: flask_cli(code, env, "keys", "rotate"))
    stack.callback(locks.close)
    return Target(code, database, env, tokens, locks, tmp)


def count_statements(target: Target, count: int, stack: ExitStack) -> None:
    """The counting pass: one sync worker serving bench/counting_wsgi.py; statements per request kind."""
    env = app_environment(target.code, target.database, target.tmp / f"uploads-{target.label}", extra_path=BENCH)
    server = Gunicorn(target.code, env, target.tmp / f"gunicorn-count-{target.label}.log", workers=1,
                      module="counting_wsgi:app")
    stack.callback(server.stop)
    server.start()
    warm = run_clients(server.port, target.tokens, target.locks.create(2), 1)
    counted = run_clients(server.port, target.tokens, target.locks.create(count), 1)
    server.stop()
    failures = warm.failures + counted.failures
    if failures:
        raise BenchError(f"[{target.label}] counting pass: {len(failures)} failed lifecycle(s): {failures[0]}")
    per_kind: dict[str, list[tuple[int, int]]] = defaultdict(list)
    expected = str(target.code.directory.resolve())
    for sample in counted.samples:
        if sample.statements is None:
            raise BenchError(f"[{target.label}] the counting server sent no X-Bench-Statements header")
        if sample.code != expected:  # PYTHONPATH and --chdir must win over the virtualenv's editable install
            raise BenchError(f"[{target.label}] served by the code in {sample.code}, not {expected}")
        per_kind[sample.kind].append((sample.statements, sample.commits or 0))
    target.statements = dict(per_kind)


def start_timed_server(target: Target, stack: ExitStack) -> None:
    server = Gunicorn(target.code, target.env, target.tmp / f"gunicorn-{target.label}.log")
    stack.callback(server.stop)
    server.start()
    target.server = server
    if target.database.backend == "postgresql":
        target.postgres = PostgresBackends(target.database.name)
        stack.callback(target.postgres.close)
    warm = run_clients(server.port, target.tokens, target.locks.create(WARM_UP_LIFECYCLES), WARM_UP_CLIENTS)
    if warm.failures:
        raise BenchError(f"[{target.label}] warm-up: {len(warm.failures)} failed lifecycle(s): {warm.failures[0]}")
    print(f"  [{target.label}] gunicorn pid {server.process.pid if server.process else '?'} on port {server.port}: "
          f"{' '.join(server.command()[1:])}", flush=True)


# -- rounds ---------------------------------------------------------------------------------------------
def alternating_rounds(targets: list[Target], bare: BareEngine, clients: int, lifecycles: int,
                       rounds: int) -> dict[str, list[Window]]:
    paths: list[str] = [t.label for t in targets] + ["bare"]
    by_label = {t.label: t for t in targets}
    windows: dict[str, list[Window]] = {p: [] for p in paths}
    for number in range(rounds):
        for path in paths if number % 2 == 0 else list(reversed(paths)):
            if path == "bare":
                windows[path].append(measure_bare(bare, lifecycles))
            else:
                target = by_label[path]
                assert target.server is not None
                windows[path].append(measure(target, target.server, lifecycles, clients))
        print(f"    round {number + 1}/{rounds}: " + "  ".join(f"{p} {windows[p][-1].rate:.2f}/s" for p in paths),
              flush=True)
    return windows


# -- report ---------------------------------------------------------------------------------------------
def _median_ratio(a: list[Window], b: list[Window]) -> float:
    return statistics.median(x.rate / y.rate for x, y in zip(a, b, strict=True) if y.rate > 0)


def _per_request(windows: list[Window], attribute: str) -> str:
    values = [getattr(w, attribute) / w.requests * 1000 for w in windows
              if w.requests and getattr(w, attribute) is not None]
    return f"{statistics.median(values):.2f}" if values else "-"


def _percentiles(seconds: list[float]) -> str:
    if not seconds:
        return f"{'-':>7} {'-':>7}"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, max(0, int(round(len(ordered) * 0.95)) - 1))]
    return f"{statistics.median(ordered) * 1000:7.1f} {p95 * 1000:7.1f}"


def print_rates(windows: dict[str, list[Window]]) -> None:
    print(f"    {'path':<5} {'lifecycles/s':>12} {'of bare':>8} {'new/old':>8} {'failed':>7} {'server CPU':>11}"
          f" {'server':>7} {'postgres CPU':>13} {'driver CPU':>11}   per-round rates")
    print(f"    {'':<5} {'(median)':>12} {'':>8} {'':>8} {'':>7} {'ms/request':>11} {'cores':>7} {'ms/request':>13}"
          f" {'ms/request':>11}")
    for path, ws in windows.items():
        rate = statistics.median(w.rate for w in ws)
        of_bare = f"{_median_ratio(ws, windows['bare']):8.1%}" if path != "bare" else f"{'':>8}"
        versus = f"{_median_ratio(ws, windows['old']):8.3f}" if path == "new" and "old" in windows else f"{'':>8}"
        failed = sum(len(w.failures) for w in ws)
        cpu = [_per_request(ws, a) for a in ("server_cpu", "db_cpu", "driver_cpu")] if path != "bare" \
            else ["-", "-", "-"]
        rounds = " ".join(f"{w.rate:.2f}" for w in ws)
        cores = f"{statistics.median(w.server_cpu / w.run.seconds for w in ws if w.run):.2f}" if path != "bare" else "-"
        print(f"    {path:<5} {rate:12.2f} {of_bare} {versus} {failed:7d} {cpu[0]:>11} {cores:>7} {cpu[1]:>13}"
              f" {cpu[2]:>11}   {rounds}")
    for path, ws in windows.items():
        for message in [m for w in ws for m in w.failures][:3]:
            print(f"    FAILED lifecycle ({path}): {message}")


def print_latencies(windows: dict[str, list[Window]]) -> None:
    http_paths = [p for p in windows if p != "bare"]
    print(f"    {'latency ms, all rounds':<23}" + "".join(f"{p + ' p50':>9} {'p95':>7}" for p in http_paths)
          + "   requests per lifecycle")
    for kind in KINDS:
        cells, per_lifecycle = "", []
        for path in http_paths:
            samples = [s.seconds for w in windows[path] if w.run for s in w.run.samples if s.kind == kind]
            cells += f" {_percentiles(samples)}"
            completed = sum(w.run.completed for w in windows[path] if w.run)
            per_lifecycle.append(f"{len(samples) / completed:.0f}" if completed else "-")
        print(f"    {kind:<23}{cells}   {'/'.join(sorted(set(per_lifecycle)))}")


def print_statements(targets: list[Target], count: int) -> None:
    print(f"  SQL statements per request (counting pass: 1 sync worker serving counting_wsgi:app, "
          f"{count} lifecycle(s) after 2 warm-up ones; mean, range, commits)")
    print(f"    {'kind':<12}" + "".join(f"{t.label + ' statements':>22} {'commits':>8}" for t in targets))
    for kind in [*KINDS, "per lifecycle"]:
        cells = ""
        for target in targets:
            counts = target.statements.get(kind, []) if kind != "per lifecycle" else \
                [c for k in KINDS for c in target.statements.get(k, [])]
            divisor = len(counts) if kind != "per lifecycle" else count
            low, high = min(c[0] for c in counts), max(c[0] for c in counts)
            spread = f"({low}-{high})" if low != high and kind != "per lifecycle" else ""
            cells += (f"{sum(c[0] for c in counts) / divisor:13.1f} {spread:>8} "
                      f"{sum(c[1] for c in counts) / divisor:8.1f}")
        print(f"    {kind:<12}{cells}")


# -- main -----------------------------------------------------------------------------------------------
def run_backend(backend: str, versions: list[CodeVersion], bare: BareEngine, args: argparse.Namespace,
                tmp: Path) -> None:
    print(f"\n== {backend} ==", flush=True)
    with ExitStack() as stack:
        targets = [prepare_target(code, backend, tmp, stack) for code in versions]
        for target in targets:
            count_statements(target, args.count_lifecycles, stack)
        for target in targets:
            start_timed_server(target, stack)
        bare.run(3)
        print_statements(targets, args.count_lifecycles)
        for clients in args.clients:
            lifecycles = max(args.lifecycles, 2 * clients)
            print(f"\n  -- {backend}, {clients} client(s): {lifecycles} lifecycles per path per round, "
                  f"{args.rounds} rounds --", flush=True)
            windows = alternating_rounds(targets, bare, clients, lifecycles, args.rounds)
            print_rates(windows)
            print_latencies(windows)
            print_server_errors(targets, windows)


def print_server_errors(targets: list[Target], windows: dict[str, list[Window]]) -> None:
    """A failed lifecycle is a bug to find: the last error its server logged (the temporary folder, and with
    it the log, is removed at the end unless --keep-temp)."""
    for target in targets:
        if not any(w.failures for w in windows.get(target.label, ())) or target.server is None:
            continue
        logged = target.server.log.read_text(errors="replace")
        at = logged.rfind("Traceback (most recent call last)")
        print(f"    [{target.label}] server log ({target.server.log}), last error:\n"
              + (logged[max(at - 400, 0):][:6000] if at >= 0 else logged[-3000:] or "(empty)"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="0ffc36d", help="git ref of the old code, or 'none'")
    parser.add_argument("--clients", default="1,4,16", help="client counts, comma-separated")
    parser.add_argument("--lifecycles", type=int, default=20, help="lifecycles per path per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--count-lifecycles", type=int, default=3, help="lifecycles of the statement-counting pass")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, SQLite files)")
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown or not args.clients or min(args.clients) < 1 or args.rounds < 1 or args.lifecycles < 1:
        parser.error(f"bad arguments (unknown backends: {sorted(unknown)})" if unknown else "bad arguments")
    return args


def _interrupted(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupted)  # clean up (servers, databases, files) as on Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (`cmd &`)
    tmp = Path(tempfile.mkdtemp(prefix="gjy-bench-http-"))
    try:
        versions = [] if args.baseline == "none" else [export_ref(args.baseline, tmp / "baseline")]
        versions.append(working_tree())
        print("HTTP load benchmark: personnel_unlock with one 补正 return (19 requests per lifecycle), "
              "gunicorn 4 sync workers")
        for code in versions:
            print(f"  {code.label}: {code.description}")
        print(f"  bare: SpiffWorkflow in this process on {ROOT / 'bpmn' / 'personnel_unlock.bpmn'}, stub services, "
              "one serialize + deserialize per step;  temporary folder " + str(tmp), flush=True)
        bare = BareEngine(ROOT / "bpmn" / "personnel_unlock.bpmn")
        for backend in args.backends:
            problem = postgres_problem() if backend == "postgresql" else None
            if problem:
                print(f"\n== {backend} == skipped: PostgreSQL does not answer at {PG_ADMIN} ({problem})")
                continue
            if backend == "postgresql":
                for name in drop_stale_databases():
                    print(f"  dropped {name}, left by a run that was killed")
            run_backend(backend, versions, bare, args, tmp)
    except BenchError as exc:
        print(f"\nbench/http_load.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary databases dropped", file=sys.stderr)
        return 130
    finally:
        if args.keep_temp:
            print(f"temporary folder kept: {tmp}")
        else:
            remove_tree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
