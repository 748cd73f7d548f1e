"""The fixtures themselves: a test's commits stay inside its rolled-back transaction, the app's savepoints and
rollbacks behave inside it as on a database of its own, the app's SQLite pragmas still apply, and the guard
reports what would differ on a database of the test's own.

The first two tests run in this order (pytest keeps a module's order within each backend): the second
finds nothing of what the first committed.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import unit_of_work
from app.extensions import db
from app.models import Region, RegionLevel
from tests.support.rollback import SharedConnectionGuard, emit_sqlite_begin

MARKER = "459999"


def _county(code: str = MARKER) -> Region:
    return Region(code=code, name="测试县", level=RegionLevel.COUNTY, parent_code="450100")


def _visible_elsewhere(app: Flask) -> int:
    """Rows with the marker code as another connection (another engine, outside the test) sees them."""
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Region).where(Region.code == MARKER)) or 0)
    finally:
        other.dispose()


def test_a_commit_is_seen_by_the_test_and_by_no_one_else(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        with db.session.begin_nested():  # a savepoint first thing in the transaction (pysqlite's pitfall)
            db.session.add(_county())
    with app.app_context():  # a new session: the commit is there for the test
        assert db.session.get(Region, MARKER) is not None
    assert _visible_elsewhere(app) == 0  # but not committed to the database


def test_the_next_test_finds_nothing_of_it(app: Flask) -> None:
    with app.app_context():
        assert db.session.get(Region, MARKER) is None


def test_a_failed_unit_of_work_undoes_only_itself(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        db.session.add(_county())
    with pytest.raises(IntegrityError), app.app_context(), unit_of_work():
        db.session.add(_county("459998"))
        db.session.flush()
        db.session.add(_county())  # a duplicate key: PostgreSQL aborts the transaction
        db.session.flush()
    with app.app_context():  # the database is usable, the first commit kept, the failed one gone
        codes = set(db.session.scalars(select(Region.code).where(Region.code.in_([MARKER, "459998"]))))
        assert codes == {MARKER}


@pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)
def test_the_apps_sqlite_pragmas_apply_to_the_tests_connection(app: Flask) -> None:
    with app.app_context():
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


# -- the guard, on a plain engine: what would differ on a database of the test's own is reported ----------
@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[tuple[SharedConnectionGuard, Connection]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'guard.sqlite3'}")
    emit_sqlite_begin(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    guard = SharedConnectionGuard(engine)
    connection = engine.connect()
    outer = connection.begin()
    guard.arm(connection)
    yield guard, connection
    guard.disarm()
    guard.close()
    outer.rollback()
    connection.close()
    engine.dispose()


def _session(connection: Connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint")


def test_the_guard_accepts_sessions_one_after_another(guarded: tuple[SharedConnectionGuard, Connection]) -> None:
    guard, connection = guarded
    for value in (1, 2):
        with _session(connection) as session:
            session.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})
            session.commit()
    with _session(connection) as reader:
        assert reader.scalar(text("SELECT count(*) FROM t")) == 2
    assert guard.disarm() == []


def test_the_guard_reports_a_rollback_over_another_sessions_commit(
        guarded: tuple[SharedConnectionGuard, Connection]) -> None:
    guard, connection = guarded
    outer = _session(connection)
    outer.execute(text("SELECT 1"))  # its savepoint is open
    with _session(connection) as inner:
        inner.execute(text("INSERT INTO t VALUES (1)"))
        inner.commit()
    outer.close()  # rolls back its savepoint, and the inner commit with it
    assert connection.scalar(text("SELECT count(*) FROM t")) == 0
    assert len(guard.disarm()) == 1


def test_the_guard_reports_a_session_seeing_uncommitted_rows(guarded: tuple[SharedConnectionGuard, Connection]) -> None:
    guard, connection = guarded
    writer = _session(connection)
    writer.execute(text("INSERT INTO t VALUES (1)"))
    writer.flush()
    with _session(connection) as reader:
        assert reader.scalar(text("SELECT count(*) FROM t")) == 1  # another connection would see none
    writer.commit()
    assert len(guard.disarm()) == 1


def test_the_guard_refuses_a_second_connection(guarded: tuple[SharedConnectionGuard, Connection]) -> None:
    guard, connection = guarded
    with pytest.raises(RuntimeError, match="committing"):
        connection.engine.connect()
    assert guard.disarm() == ["a second connection was opened"]
