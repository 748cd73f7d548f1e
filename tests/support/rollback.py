"""What lets the tests share one app per backend, each inside a transaction rolled back at its end.

Every session of a rolled-back test is bound to one connection in an outer transaction; a session's
commit releases its savepoint. Where that differs from a database of the test's own, the guard fails the
test, naming the remedy (@pytest.mark.committing), instead of letting it pass or fail for another reason:

- a second connection would not see the test's uncommitted rows, or would wait for its locks;
- a session whose transaction ends without a commit (rollback, close) rolls back its savepoint, and with
  it what other sessions committed meanwhile: on a real database their commits would stand;
- a session that begins while another one has written and not committed sees those rows: on a real
  database it would not.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, SessionTransaction

REMEDY = "mark the test @pytest.mark.committing (a database of its own, real commits)"


def emit_sqlite_begin(engine: Engine) -> None:
    """SQLAlchemy's recipe for savepoints on pysqlite ("Enabling Non-Legacy SQLite Transactional Modes"): the
    driver leaves BEGIN to SQLAlchemy, which emits it when a transaction begins. Without it, a SAVEPOINT
    issued before any write would open a transaction of its own that its RELEASE commits, past the test's
    outer transaction. Registered after the app's own connect hook (its pragmas still run first)."""

    @event.listens_for(engine, "connect")
    def _no_driver_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


class SharedConnectionGuard:
    """Armed on one test's connection, it records what would differ on a database of the test's own (see
    the module's docstring); the fixture fails the test with `problems`."""

    def __init__(self, engine: Engine) -> None:
        self.connection: Connection | None = None
        self.problems: list[str] = []
        self._commits = 0
        self._began: dict[int, int] = {}  # id(session) -> commits by then, while its transaction is open
        self._written: set[int] = set()   # id(session): rows written and not yet committed
        self._flushing: int | None = None  # id(session) during its flush
        self._listeners: list[tuple[Any, str, Any]] = [
            (engine, "checkout", self._checkout),
            (engine, "before_cursor_execute", self._before_cursor_execute),
            (Session, "after_begin", self._after_begin),
            (Session, "before_flush", self._before_flush),
            (Session, "after_flush_postexec", self._after_flush_postexec),
            (Session, "after_commit", self._after_commit),
            (Session, "after_transaction_end", self._after_transaction_end),
        ]
        for target, name, listener in self._listeners:
            event.listen(target, name, listener)

    def close(self) -> None:
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)

    def arm(self, connection: Connection) -> None:
        self.connection, self.problems = connection, []
        self._commits, self._flushing = 0, None
        self._began.clear()
        self._written.clear()

    def disarm(self) -> list[str]:
        self.connection = None
        return self.problems

    def _ours(self, session: Session) -> bool:
        return self.connection is not None and session.bind is self.connection

    def _checkout(self, *_args: Any) -> None:
        if self.connection is not None:
            self.problems.append("a second connection was opened")
            raise RuntimeError(f"a test in a rolled-back transaction opened a second connection: {REMEDY}")

    def _after_begin(self, session: Session, _transaction: SessionTransaction, _connection: Connection) -> None:
        if not self._ours(session):
            return
        if self._written - {id(session)}:
            self.problems.append("a session began while another one had uncommitted rows, which it sees here")
        self._began[id(session)] = self._commits

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        if self._ours(session):
            self._flushing = id(session)

    def _after_flush_postexec(self, session: Session, _context: Any) -> None:
        self._flushing = None

    def _before_cursor_execute(self, conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        """A write is the flushing session's, else the newest open one's: the tests run one thread, a
        session opened inside another's context is used until it ends (Core writes through
        `session.connection()` pass no session event)."""
        if conn is not self.connection or statement.lstrip()[:6].upper() not in ("INSERT", "UPDATE", "DELETE"):
            return
        writer = self._flushing if self._flushing is not None else next(reversed(self._began), None)
        if writer is not None:
            self._written.add(writer)

    def _after_commit(self, session: Session) -> None:
        if self._ours(session):
            self._commits += 1
            self._began.pop(id(session), None)

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        if self._flushing == id(session):  # a flush's own transaction ends with it, failed or not
            self._flushing = None
        if transaction.parent is not None or not self._ours(session):
            return
        self._written.discard(id(session))
        began = self._began.pop(id(session), None)
        if began is not None and self._commits > began:  # ended without a commit: its savepoint rolled back
            self.problems.append("a session rolled back (or closed) after another one committed meanwhile, "
                                 "undoing that commit")
