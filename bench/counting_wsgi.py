"""The app as wsgi.py builds it, plus two answer headers for bench/http_load.py's counting pass:
X-Bench-Statements (SQL statements the request sent: one per cursor execute, an executemany batch counts
once) and X-Bench-Commits (commits of SQLAlchemy connections).

It imports `create_app` from whichever code version is first on PYTHONPATH (the old or the new code; the
app itself is not changed) and listens to the app's engines. Counts are per process: gunicorn's sync
workers serve one request at a time. The headers are added when the answer starts, so a statement run
after that (a teardown) is not counted; a `pool_pre_ping` check and the driver's implicit BEGIN are not
cursor executes and are not counted either.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import event

import app as app_package
from app import create_app

app = create_app()
CODE = str(Path(app_package.__file__).resolve().parent.parent)  # which checkout answered: X-Bench-Code
_counts = {"statements": 0, "commits": 0}


def _statement(*_args: Any) -> None:
    _counts["statements"] += 1


def _commit(*_args: Any) -> None:
    _counts["commits"] += 1


with app.app_context():
    for _engine in app.extensions["sqlalchemy"].engines.values():
        event.listen(_engine, "before_cursor_execute", _statement)
        event.listen(_engine, "commit", _commit)


class CountingMiddleware:
    def __init__(self, inner: Callable[..., Iterable[bytes]]) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _counts["statements"] = _counts["commits"] = 0

        def counted(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [*headers, ("X-Bench-Statements", str(_counts["statements"])),
                       ("X-Bench-Commits", str(_counts["commits"])), ("X-Bench-Code", CODE)]
            return start_response(status, headers, exc_info)

        return self.inner(environ, counted)


app.wsgi_app = CountingMiddleware(app.wsgi_app)  # type: ignore[method-assign]
