"""Count the SQL statements an app sends (Indico's count_queries habit): list pages must not grow with rows."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    """The statements the app's engine executes inside the block (the list fills as they run)."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
