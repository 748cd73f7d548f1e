"""Masking of ID numbers and mobile numbers in everything the processes log.

The whole formatted line is masked (message, arguments, traceback, stack) by a formatter wrapping the
handler's own, on Flask's handler, werkzeug's request log (`flask run`), gunicorn's error and access logs
(also through `MaskingGunicornLogger`, named in gunicorn.conf.py) and Celery's. A record filter on those
loggers masks their records before they reach handlers added later (a log shipper's, pytest's).
"""
from __future__ import annotations

import logging
import re
import sys
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger  # type: ignore[import-untyped]

# Not the digits of a decimal fraction ("succeeded in 0.022145678901239076s" is a duration).
_ID_RE = re.compile(r"(?<![\d.])(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
# Also with the country code (+86 / 86 / %2B86 in a URL) and written in groups (139-0771-0101, 139 0771 0101):
# the number itself is what is masked.
_PHONE_RE = re.compile(r"(?<![\d.])((?:86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")

# Loggers whose handlers and records are masked when the app starts (gunicorn's exist in its workers).
MASKED_LOGGERS = ("", "werkzeug", "gunicorn.error", "gunicorn.access", "celery", "celery.task")


def mask_text(text: str) -> str:
    return _PHONE_RE.sub(r"\1****\2", _ID_RE.sub(r"\1**********\2", text))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of an ID number's first 17 digits (here, below the services that validate
    ID numbers, because free text is masked by it too)."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def _resident_id(number: str) -> bool:
    """18 characters whose last is the check character of the first 17 digits."""
    return id_check_digit(number[:17]) == number[17].upper()


def mask_shown_text(text: str) -> str:
    """Free text shown to a reader (a comment, a reason, a partner's error): phones masked as in the logs, and the
    18-digit numbers that are resident ID numbers (their check character holds); others, a 施工许可证号 written in
    a comment, are what the reader needs. The logs mask every such number: a false positive costs nothing there."""
    def one(match: re.Match[str]) -> str:
        return f"{match.group(1)}**********{match.group(2)}" if _resident_id(match.group(0)) else match.group(0)
    return _PHONE_RE.sub(r"\1****\2", _ID_RE.sub(one, text))


class MaskingFormatter(logging.Formatter):
    """Formats with the wrapped formatter (the handler's own), then masks the whole text."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(self.inner.format(record))


class PersonalDataFilter(logging.Filter):
    """Masks a record in place: its message (arguments merged in), its traceback and its stack."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_gjy_masked", False):
            return True
        record.msg = mask_text(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        setattr(record, "_gjy_masked", True)  # noqa: B010  (once per record)
        return True


def mask_handler(handler: logging.Handler) -> None:
    """Make the handler mask what it writes (idempotent)."""
    if not isinstance(handler.formatter, MaskingFormatter):
        handler.setFormatter(MaskingFormatter(handler.formatter))


def mask_logger(logger: logging.Logger) -> None:
    """Mask the logger's records and everything its handlers write (idempotent)."""
    if not any(isinstance(f, PersonalDataFilter) for f in logger.filters):
        logger.addFilter(PersonalDataFilter())
    for handler in logger.handlers:
        mask_handler(handler)


def _ensure_werkzeug_handler() -> None:
    """werkzeug adds its own stream handler when it first logs a request unless one exists: give it a
    masking one now (same output: the message on stderr)."""
    logger = logging.getLogger("werkzeug")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    current: logging.Logger | None = logger
    while current is not None:  # werkzeug's own test: any handler for INFO up the hierarchy
        if any(h.level <= logging.INFO for h in current.handlers):
            return
        current = current.parent if current.propagate else None
    logger.addHandler(_StderrHandler())


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (as logging's last-resort handler does)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(MaskingFormatter(logging.Formatter("%(message)s")))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def install(logger: logging.Logger | None = None) -> None:
    """Mask `logger` (e.g. the Flask app's) and the loggers of the servers and workers that run it."""
    if logger is not None:
        mask_logger(logger)
    _ensure_werkzeug_handler()
    for name in MASKED_LOGGERS:
        mask_logger(logging.getLogger(name))


def install_for_celery() -> None:
    """Celery sets up its logging when a worker starts (after the app): mask it then."""
    from celery import signals

    signals.after_setup_logger.connect(_on_celery_logging, weak=False)
    signals.after_setup_task_logger.connect(_on_celery_logging, weak=False)


def _on_celery_logging(logger: logging.Logger | None = None, **_kwargs: Any) -> None:
    if logger is not None:
        mask_logger(logger)
    install()


class MaskingGunicornLogger(GunicornLogger):
    """gunicorn's logger with masked error and access logs (`logger_class` in gunicorn.conf.py): the
    access line's request, query string and referrer are masked after formatting."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log, logging.getLogger()):
            mask_logger(logger)
