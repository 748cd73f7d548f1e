"""ID numbers and phones never reach a log in clear: werkzeug's request lines, gunicorn's access and error
logs, and tracebacks (message and frames) are masked as whole formatted lines."""
from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask, request
from gunicorn.config import Config
from werkzeug.serving import make_server

from app import create_app
from app.log_masking import MaskingFormatter, MaskingGunicornLogger, PersonalDataFilter, mask_text
from tests.conftest import TEST_DATA_KEY

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER, MASKED_ID = "450102199001011234", "4501**********1234"
PHONE, MASKED_PHONE = "13912345678", "139****5678"
QUERY = f"/api/v1/records/persons?q={ID_NUMBER}&phone={PHONE}"


def _clear(text: str) -> None:
    assert ID_NUMBER not in text and PHONE not in text, text


def test_mask_text() -> None:
    assert mask_text(f"q={ID_NUMBER}&phone={PHONE}") == f"q={MASKED_ID}&phone={MASKED_PHONE}"
    assert mask_text("45010219900101123x +8613912345678 %2B8613912345678") == \
        "4501**********123x +86139****5678 %2B86139****5678"
    assert mask_text(mask_text(ID_NUMBER)) == MASKED_ID
    assert mask_text("case 12345, 2026-11-30, 1234567890123456789") == "case 12345, 2026-11-30, 1234567890123456789"


def _config(tmp_path: Path) -> dict[str, Any]:
    """The app as configured for production logging (no database needed for these requests)."""
    return {"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "WORKER": "off", "SECRET_KEY": "test",
            "DATA_KEY": TEST_DATA_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    application = create_app(_config(tmp_path))

    @application.get("/boom")
    def boom() -> str:
        return date.fromisoformat(request.args["d"]).isoformat()  # ValueError naming the value
    return application


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _get(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except urllib.error.HTTPError as exc:  # 401 without a token: logged all the same
        exc.close()


def test_werkzeug_request_lines_are_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`flask run` as on a laptop: no logging configured, werkzeug writes its request lines to stderr."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # (pytest's own handlers are set aside)
    monkeypatch.setattr(logging.getLogger("werkzeug"), "handlers", [])
    app = create_app(_config(tmp_path))
    [handler] = logging.getLogger("werkzeug").handlers
    assert isinstance(handler.formatter, MaskingFormatter)
    buffer = io.StringIO()
    with serving(app) as base, redirect_stderr(buffer):
        for path in (QUERY, f"/login?next=/records/persons%3Fq%3D{ID_NUMBER}"):
            _get(base + path)
    text = buffer.getvalue()
    assert f"GET /api/v1/records/persons?q={MASKED_ID}&phone={MASKED_PHONE} HTTP/1.1" in text, text
    assert f"GET /login?next=/records/persons?q%3D{MASKED_ID} HTTP/1.1" in text, text
    _clear(text)


def test_werkzeug_request_lines_reach_other_handlers_masked(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Logging configured elsewhere (here pytest's handler on the root logger, added after the app started)."""
    with serving(app) as base:
        _get(base + QUERY)
    assert f"GET /api/v1/records/persons?q={MASKED_ID}&phone={MASKED_PHONE} HTTP/1.1" in caplog.text, caplog.text
    _clear(caplog.text)


def test_a_traceback_naming_an_id_number_is_masked(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    response = app.test_client().get(f"/boom?d={ID_NUMBER}")
    assert response.status_code == 500
    # pytest's handler on the root logger was added after the app started: the record itself is masked
    assert f"ValueError: Invalid isoformat string: '{MASKED_ID}'" in caplog.text, caplog.text
    _clear(caplog.text)


def test_the_masking_formatter_masks_message_arguments_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter(logging.Formatter("%(levelname)s %(message)s")))
    logger = logging.getLogger("tests.masking.formatter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("person %s phone %s", ID_NUMBER, PHONE)
        try:
            date.fromisoformat(ID_NUMBER)
        except ValueError:
            logger.exception("parsing %s failed", "date")
        logger.error("stack", stack_info=True, extra={"note": ID_NUMBER})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert f"WARNING person {MASKED_ID} phone {MASKED_PHONE}" in text
    assert f"Invalid isoformat string: '{MASKED_ID}'" in text and "Traceback" in text
    _clear(text)


def test_the_record_filter_masks_records_for_handlers_added_later() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "id %s", (ID_NUMBER,), None)
    try:
        raise ValueError(ID_NUMBER)
    except ValueError:
        record.exc_info = sys.exc_info()
    assert PersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert f"id {MASKED_ID}" in text and f"ValueError: {MASKED_ID}" in text
    _clear(text)


@pytest.fixture
def gunicorn_logger(tmp_path: Path) -> Iterator[tuple[Any, Path, Path]]:
    cfg = Config()
    access, error = tmp_path / "access.log", tmp_path / "error.log"
    cfg.set("accesslog", str(access))
    cfg.set("errorlog", str(error))
    logger = MaskingGunicornLogger(cfg)
    yield logger, access, error
    for log in (logger.error_log, logger.access_log):
        for handler in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
            log.removeHandler(handler)
            handler.close()


def test_gunicorns_access_and_error_logs_are_masked(gunicorn_logger: tuple[Any, Path, Path]) -> None:
    logger, access, error = gunicorn_logger
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": QUERY, "PATH_INFO": "/api/v1/records/persons",
               "QUERY_STRING": f"q={ID_NUMBER}&phone={PHONE}", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "10.0.0.1", "HTTP_REFERER": f"https://gjy.example/records?q={ID_NUMBER}"}
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    try:
        date.fromisoformat(ID_NUMBER)
    except ValueError:
        logger.exception("Error handling request %s", QUERY)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()
    lines = access.read_text("utf-8")
    assert f'"GET /api/v1/records/persons?q={MASKED_ID}&phone={MASKED_PHONE} HTTP/1.1" 200 12' in lines, lines
    assert f"records?q={MASKED_ID}" in lines
    errors = error.read_text("utf-8")
    assert f"Invalid isoformat string: '{MASKED_ID}'" in errors and "Traceback" in errors
    _clear(lines + errors)


def test_the_production_command_masks_gunicorns_access_log(tmp_path: Path) -> None:
    """gunicorn started in the project folder (docs/operations.md) reads gunicorn.conf.py."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    access = tmp_path / "access.log"
    env = {**os.environ, "SECRET_KEY": "test", "GJY_DATA_KEY": TEST_DATA_KEY,
           "GJY_WORKER": "off", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "UPLOAD_DIR": str(tmp_path / "uploads")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--access-logfile", str(access), "--error-logfile", str(tmp_path / "error.log"),
                               "wsgi:app"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{QUERY}", timeout=5).close()
                break
            except urllib.error.HTTPError as exc:  # 401 without a token
                exc.close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        deadline = time.monotonic() + 10
        while "records/persons" not in (access.read_text("utf-8") if access.exists() else ""):
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = access.read_text("utf-8")
    assert f"/api/v1/records/persons?q={MASKED_ID}&phone={MASKED_PHONE}" in text, text
    _clear(text)


@pytest.mark.parametrize(("logged", "hidden"), [
    ("GET /api/v1/records/persons?person=%2B86-139-0771-0101 HTTP/1.1", "0771"),  # a phone written in groups
    ("致电 139 0771 0101", "0771"),
])
def test_a_phone_written_in_groups_is_masked(logged: str, hidden: str) -> None:
    masked = mask_text(logged)
    assert hidden not in masked and "0101" in masked


def test_a_duration_is_not_taken_for_an_id_number() -> None:
    """Celery's "succeeded in 0.022145678901239076s" came out as 0.0221**********9076s."""
    line = "Task gjy.fire_due_timers succeeded in 0.022145678901239076s: 0"
    assert mask_text(line) == line
