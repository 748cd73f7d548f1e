"""Declarative base, naming convention, time helpers and the one place that commits."""
from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import CursorResult, DateTime, Engine, MetaData, Result, Table, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import InterfaceError, OperationalError, SAWarning
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DatabaseUnavailable, DomainError, StaleCase

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


LIKE_ESCAPE = "\\"


def contains_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, its own % and _ taken literally (use with escape=LIKE_ESCAPE):
    a search for "JS_2026" must not match "JS-2026"."""
    literal = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{literal}%"


def table_of(model: type[Base]) -> Table:
    """The Table of a mapped class (typed as such, for Core statements)."""
    return cast(Table, model.__table__)


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE/INSERT executed through a session."""
    return cast(CursorResult[Any], result).rowcount


class UpsertStatement:
    """An INSERT … ON CONFLICT statement, built once per database dialect (PostgreSQL and SQLite both
    offer ON CONFLICT, each through its own `insert`): one statement where SELECT-then-INSERT would be
    two round trips and a race. `build` receives the dialect's `insert` function; the values are the
    parameters of each execution."""

    def __init__(self, build: Callable[[Callable[[Table], Any]], Any]) -> None:
        self._build = build
        self._built: dict[str, Any] = {}

    def __call__(self, session: Session) -> Any:
        dialect = session.get_bind().dialect.name
        if dialect not in self._built:
            self._built[dialect] = self._build(postgresql.insert if dialect == "postgresql" else sqlite.insert)
        return self._built[dialect]


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: commit on success, roll back on error. The only `session.commit()` under app/;
    entered only by `transactional` (requests, jobs, commands), never by hand.

    Database failures become domain errors here, once: a version mismatch (`StaleDataError`, from the
    optimistic `lock_version`) is a conflict (409); a lost connection, a timeout, a locked or full database
    is `DatabaseUnavailable` (503, logged). A refusal that must leave a trace although the action is undone
    (`DomainError.after_rollback`, e.g. a case whose saved state does not load is put in 异常), and what the
    unit of work noted to be kept whatever happens (`add_kept_on_rollback`: an API token's use), are written
    in a transaction of their own after the rollback; not after the database itself failed. A conflict the
    unit of work said how to explain (`explain_conflict`) is explained after the rollback.
    """
    from flask import current_app

    session: Session = current_app.extensions["sqlalchemy"].session
    marks = _marks()
    explanations: list[Callable[[], DomainError | None]] = []
    explaining = _CONFLICT_EXPLANATIONS.set(explanations)
    try:
        yield session
        _run_before_commit(session)
        session.commit()
    except BaseException as exc:
        kept = _kept_on_rollback() if isinstance(exc, Exception) else []  # before the rewind drops them
        session.rollback()
        _rewind(marks)
        domain_error = _as_domain_error(exc)
        if isinstance(domain_error, StaleCase) and explanations:
            domain_error = _explained(session, explanations) or domain_error
        if isinstance(domain_error, DatabaseUnavailable):
            kept = []  # the database did not answer: writing again would only wait for it to fail again
        if domain_error is not None and domain_error.after_rollback is not None:
            kept.insert(0, domain_error.after_rollback)
        if kept:
            _record_after_rollback(session, kept)
        if domain_error is not None and domain_error is not exc:
            raise domain_error from exc
        raise
    finally:
        _CONFLICT_EXPLANATIONS.reset(explaining)
    _run_after_commit()


# The explanations the current unit of work was given (explain_conflict); None outside a unit of work.
_CONFLICT_EXPLANATIONS: ContextVar[list[Callable[[], DomainError | None]] | None] = ContextVar(
    "gjy_conflict_explanations", default=None)


def explain_conflict(explain: Callable[[], DomainError | None]) -> None:
    """For a unit of work that may lose a race to a request of the same user (a form sent twice at once, a
    client's retry): should it end in a conflict (StaleCase: a version mismatch, a write lost to a concurrent
    one), `explain()` is run after the rollback, in a transaction of its own that sees what the winner
    committed, and the error it returns is raised instead (None: the conflict stands). The loser is then told
    what a request sent after the winner is told (its own submission went through), not that someone else
    changed the case."""
    explanations = _CONFLICT_EXPLANATIONS.get()
    if explanations is not None:
        explanations.append(explain)


def _explained(session: Session, explanations: list[Callable[[], DomainError | None]]) -> DomainError | None:
    """The first explanation of a lost conflict, read after the rollback (its read transaction then ended)."""
    try:
        return next((error for explain in explanations if (error := explain()) is not None), None)
    except Exception:  # the conflict itself still reaches the caller
        log.exception("could not explain a conflict")
        return None
    finally:
        session.rollback()


BEFORE_COMMIT = "gjy.before_commit"


def add_before_commit(app: Any, hook: Callable[[Session], None]) -> None:
    """Run `hook(session)` as the last step of every unit of work of `app`, just before it commits (the
    audit log's seal, whose lock is then held for the shortest time); a hook with nothing to do returns."""
    app.extensions.setdefault(BEFORE_COMMIT, []).append(hook)


AFTER_COMMIT = "gjy.after_commit"


def add_after_commit(app: Any, hook: Callable[[], None]) -> None:
    """Run `hook()` after every unit of work of `app` has committed: for what must not happen unless the rows
    are gone for good (removing a deleted attachment's file). What a hook keeps to do is dropped with a
    rolled-back savepoint or unit of work through `add_rollback_hooks`. A failing hook is logged: the
    transaction has committed, the request succeeded."""
    app.extensions.setdefault(AFTER_COMMIT, []).append(hook)


def _run_after_commit() -> None:
    from flask import current_app

    for hook in current_app.extensions.get(AFTER_COMMIT, ()):
        try:
            hook()
        except Exception:
            log.exception("an after-commit hook failed")


KEPT_ON_ROLLBACK = "gjy.kept_on_rollback"


def add_kept_on_rollback(app: Any, keep: Callable[[], Callable[[], None] | None]) -> None:
    """For what a unit of work notes that must be written even when its action is refused and rolled back (an
    API token's use: who probes what matters most when it is refused). `keep()` is asked before the rollback
    drops what the unit of work noted; what it returns is run after the rollback, in a transaction of its
    own (with the before-commit hooks: its audit entries are sealed)."""
    app.extensions.setdefault(KEPT_ON_ROLLBACK, []).append(keep)


def _kept_on_rollback() -> list[Callable[[], None]]:
    from flask import current_app

    return [write for keep in current_app.extensions.get(KEPT_ON_ROLLBACK, ()) if (write := keep()) is not None]


SAVEPOINT_HOOKS = "gjy.savepoint_hooks"


def add_rollback_hooks(app: Any, mark: Callable[[], Any], rewind: Callable[[Any], None]) -> None:
    """For what a unit of work holds outside the session until it commits (the audit entries, written sealed
    by the before-commit hook): `mark()` where a unit of work or a savepoint (`attempt`, `dry_run`) begins,
    `rewind(mark)` when it is rolled back, so that what it recorded is dropped with its rows."""
    app.extensions.setdefault(SAVEPOINT_HOOKS, []).append((mark, rewind))


def _marks() -> list[tuple[Callable[[Any], None], Any]]:
    from flask import current_app

    return [(rewind, mark()) for mark, rewind in current_app.extensions.get(SAVEPOINT_HOOKS, ())]


def _rewind(marks: list[tuple[Callable[[Any], None], Any]]) -> None:
    for rewind, mark in marks:
        rewind(mark)


def _run_before_commit(session: Session) -> None:
    from flask import current_app

    for hook in current_app.extensions.get(BEFORE_COMMIT, ()):
        hook(session)


def _as_domain_error(exc: BaseException) -> DomainError | None:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, StaleDataError) or _lost_to_a_concurrent_write(exc):
        return StaleCase()
    if isinstance(exc, OperationalError | InterfaceError):  # not IntegrityError, DataError: those are bugs
        log.error("database unavailable: %s", exc)  # the driver's message says why; no traceback per request
        return DatabaseUnavailable()
    return None


SQLITE_BUSY_SNAPSHOT = 517  # SQLite: another connection wrote since this transaction began reading


def _lost_to_a_concurrent_write(exc: BaseException) -> bool:
    """A SQLite write refused because another transaction wrote what this one had read: a conflict, as a
    version mismatch is (a busy database past the timeout is an outage instead)."""
    return (isinstance(exc, OperationalError)
            and getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT)


def _record_after_rollback(session: Session, records: list[Callable[[], None]]) -> None:
    try:
        for record in records:
            record()
        _run_before_commit(session)
        session.commit()
    except Exception:  # the refusal itself still reaches the caller; what could not be noted is logged
        session.rollback()
        log.exception("could not record the consequences of a refused action")


P = ParamSpec("P")
R = TypeVar("R")


def transactional(run: Callable[P, R]) -> Callable[P, R]:
    """Run `run` as one unit of work: the single wrapper through which every request (the app's
    dispatch_request), job (app/jobs) and command (app/cli) enters `unit_of_work`."""

    @functools.wraps(run)
    def in_unit_of_work(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return run(*args, **kwargs)
    return in_unit_of_work


@contextmanager
def dry_run(session: Session) -> Iterator[None]:
    """Run a block for what it would do (a validation that may touch rows) and undo it, whatever happens:
    a savepoint always rolled back."""
    marks = _marks()
    _open_transaction(session)
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        _rewind(marks)


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """A part of a unit of work that may be refused without undoing the rest (a savepoint): a page that
    keeps the uploads of a refused form, a refused start that leaves nothing behind."""
    marks = _marks()
    _open_transaction(session)
    try:
        with session.begin_nested():
            yield
    except BaseException:
        _rewind(marks)
        raise


def _open_transaction(session: Session) -> None:
    """Before a savepoint on SQLite: the database transaction open. pysqlite begins one only before its first
    INSERT/UPDATE/DELETE; a SAVEPOINT with none open starts a transaction of its own, which its RELEASE
    commits (an upload stored in a savepoint as a request's first write stayed when the request failed).

    BEGIN IMMEDIATE: the write lock taken now, waiting (busy timeout) for a writer that holds it, as pysqlite's
    own BEGIN before a first write waits. A deferred BEGIN made the savepoint's reads a read transaction, which
    SQLite does not let wait for the lock when it then writes: a page completion whose reads began while another
    completion was writing was refused at once ("database is locked", an outage page) where the API's, whose
    transaction begins with its first write, waited and then lost as a conflict (409). Holding the lock from here
    costs little: what is read in a savepoint is read to be written, and SQLite has one writer at a time anyway."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def drop_all_tables(engine: Engine) -> None:
    """Drop every table of the database, whatever the models say (the demo reset: migrations then rebuild
    it). SQLite's foreign keys are switched off outside a transaction, where the pragma takes effect."""
    with engine.connect() as conn:
        sqlite_db = conn.dialect.name == "sqlite"
        if sqlite_db:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        tables = MetaData()
        tables.reflect(bind=conn)
        with warnings.catch_warnings():  # procedures <-> procedure_versions is a known cycle; keys are off
            warnings.simplefilter("ignore", SAWarning)
            tables.drop_all(bind=conn)
        conn.commit()
        if sqlite_db:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
