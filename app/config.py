"""Configuration read from the environment; every knob is documented here."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import current_app

from app.crypto import demo_data_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting that cannot be used, named with what it should be: refused when the app starts, not on the
    first request that needs it (a mistyped gateway used to fall back to the console: no SMS ever left)."""


def _number(name: str, default: str, kind: type[int] | type[float]) -> Any:
    raw = os.environ.get(name, default)
    try:
        return kind(raw.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not {what} (default {default})") from None


def _int(name: str, default: str) -> int:
    return int(_number(name, default, int))


def _float(name: str, default: str) -> float:
    return float(_number(name, default, float))


# The settings that name one of a few choices, and what each choice needs besides.
CHOICES = {
    "WORKER": ("GJY_WORKER", ("off", "embedded", "celery")),
    "MAIL_BACKEND": ("GJY_MAIL", ("console", "smtp", "memory")),
    "SMS_GATEWAY": ("GJY_SMS_GATEWAY", ("console", "http", "memory")),
    "NOTIFY_CHANNEL": ("GJY_NOTIFY_CHANNEL", ("console", "email", "sms", "memory")),
    "SMTP_SECURITY": ("GJY_SMTP_SECURITY", ("none", "starttls", "ssl")),
}
NEEDS = {
    ("SMS_GATEWAY", "http"): ("SMS_GATEWAY_URL", "GJY_SMS_GATEWAY_URL"),
    ("NOTIFY_CHANNEL", "sms"): ("NOTIFY_SMS_URL", "GJY_SMS_URL"),
}


def check(config: dict[str, Any]) -> None:
    """Refuse (ConfigError) a choice the code does not know, or a choice without the setting it needs."""
    for key, (variable, allowed) in CHOICES.items():
        value = config.get(key)
        if value is not None and value not in allowed:
            raise ConfigError(f"{variable}={value!r} is not one of: {', '.join(allowed)}")
    for (key, value), (needed, variable) in NEEDS.items():
        if config.get(key) == value and not config.get(needed):
            raise ConfigError(f"{CHOICES[key][0]}={value} needs {variable} (the gateway's address)")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEMO_SECRET_FILE = "demo-secret-key"


def demo_secret_key(instance_path: str) -> str:
    """Demo mode without SECRET_KEY: a random key made once and kept in the instance folder (readable by its
    owner only), so that sessions survive a restart and no two demos share a key."""
    path = Path(instance_path) / DEMO_SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_hex(32))
        except FileExistsError:  # another process made it first: use that one
            pass
    return path.read_text().strip()


def from_environment(instance_path: str) -> dict[str, Any]:
    """Build the config mapping from environment variables (defaults suit a laptop demo)."""
    demo = _bool("GJY_DEMO", default=False)
    # Outside demo mode there is no default: create_app refuses to start without SECRET_KEY.
    secret = os.environ.get("SECRET_KEY") or (demo_secret_key(instance_path) if demo else None)
    max_upload = _int("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
    max_total = max(max_upload, _int("GJY_MAX_UPLOADS_TOTAL_BYTES", str(5 * max_upload)))
    max_case = max(max_total, _int("GJY_MAX_CASE_UPLOAD_BYTES", str(5 * max_total)))
    return {
        # SQLAlchemy URL; default: a SQLite file in the instance folder.
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'gjy.sqlite3'}"
        ),
        "SECRET_KEY": secret,
        # The key that encrypts ID numbers and phones at rest (32 bytes, URL-safe base64: `flask keys
        # generate`), and the earlier keys that still decrypt during a rotation (comma-separated). Demo mode
        # without one keeps a random key in the instance folder. See app/crypto.py, docs/security.md.
        "DATA_KEY": os.environ.get("GJY_DATA_KEY") or (demo_data_key(instance_path) if demo else None),
        "DATA_KEYS_OLD": os.environ.get("GJY_DATA_KEYS_OLD", ""),
        # Where uploaded attachments are stored (outside the database).
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(Path(instance_path) / "uploads")),
        # Maximum upload size in bytes (default 20 MiB).
        "MAX_UPLOAD_BYTES": max_upload,
        # All the files one submission carries together (a task page's several upload fields; default five
        # uploads' worth). The page checks both limits before sending, keeping what was typed.
        "MAX_UPLOADS_TOTAL_BYTES": max_total,
        # Every file stored on one case (all its rounds and uploaders; default five submissions' worth): one
        # account cannot fill the upload disk through an open case or a draft.
        "MAX_CASE_UPLOAD_BYTES": max_case,
        # Unsubmitted drafts (started, not yet received by an authority) one applicant organisation (an individual:
        # his own) may hold at once, over all procedures: each may hold files up to MAX_CASE_UPLOAD_BYTES, so one
        # account cannot fill the upload disk by starting draft after draft. Another start is refused (422
        # too_many_drafts) until one is submitted or withdrawn.
        "MAX_DRAFT_CASES": max(1, _int("GJY_MAX_DRAFT_CASES", "20")),
        # Any request body: the files with their multipart framing fit; a larger body answers 413 unread.
        "MAX_CONTENT_LENGTH": max_total + 1024 * 1024,
        # A body that is not an upload (JSON, a page's form): a procedure bundle with its forms fits.
        "MAX_BODY_BYTES": _int("GJY_MAX_BODY_BYTES", str(2 * 1024 * 1024)),
        # How long one statement may wait for the database (a lock, a slow query) before the request is
        # answered 503 and rolled back: PostgreSQL's statement_timeout, SQLite's busy timeout. Seconds.
        "DB_TIMEOUT_SECONDS": _float("GJY_DB_TIMEOUT_SECONDS", "30"),
        # werkzeug's method for new password hashes (existing hashes name their own). Not from the
        # environment: production keeps scrypt; the tests set a cheap method to sign in quickly.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Demo mode: demo users with a known password may exist and sign in.
        "DEMO": demo,
        # Folders holding the procedures, forms and lane mapping.
        "BPMN_DIR": os.environ.get("BPMN_DIR", str(PROJECT_ROOT / "bpmn")),
        "FORMS_DIR": os.environ.get("FORMS_DIR", str(PROJECT_ROOT / "forms")),
        # Background worker: "embedded" (a thread in the app process), "celery" or "off".
        "WORKER": os.environ.get("GJY_WORKER", "off"),
        "WORKER_INTERVAL_SECONDS": _float("GJY_WORKER_INTERVAL", "15"),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "CELERY_RESULT_BACKEND": os.environ.get("CELERY_RESULT_BACKEND", ""),
        # Office hours: a day limit ends when the office closes on its last day (民法典 §203).
        "WORK_HOURS": os.environ.get("GJY_WORK_HOURS", "08:30-17:30"),
        # Warning (预警, 黄牌) once this share of the committed limit has elapsed (a procedure may override).
        "DEADLINE_WARNING_SHARE": _float("GJY_WARNING_SHARE", "0.9"),
        # Outbound notifications: console (log) | email | sms | memory, with the gateway settings.
        "NOTIFY_CHANNEL": os.environ.get("GJY_NOTIFY_CHANNEL", "console"),
        "NOTIFY_SMTP_HOST": os.environ.get("GJY_SMTP_HOST", "127.0.0.1"),
        "NOTIFY_SMTP_PORT": _int("GJY_SMTP_PORT", "25"),
        "NOTIFY_EMAIL_FROM": os.environ.get("GJY_EMAIL_FROM", "noreply@gjy.example"),
        "NOTIFY_EMAIL_DOMAIN": os.environ.get("GJY_EMAIL_DOMAIN", "gjy.example"),
        "NOTIFY_SMS_URL": os.environ.get("GJY_SMS_URL", ""),
        "NOTIFY_SMS_TOKEN": os.environ.get("GJY_SMS_TOKEN", ""),
        # Applicants' notices (补正, decisions, 办结) go in-app, by SMS (SMS_GATEWAY below) and by e-mail:
        # console (log, address masked) | smtp (GJY_SMTP_HOST/_PORT above, GJY_EMAIL_FROM as sender) | memory.
        "MAIL_BACKEND": os.environ.get("GJY_MAIL", "console"),
        "SMTP_USER": os.environ.get("GJY_SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("GJY_SMTP_PASSWORD", ""),
        "SMTP_SECURITY": os.environ.get("GJY_SMTP_SECURITY", "none"),  # none | starttls | ssl
        "SMTP_TIMEOUT": _float("GJY_SMTP_TIMEOUT", "10"),
        # The address of the pages as applicants reach them: links in SMS and e-mail are made from it.
        "PUBLIC_URL": os.environ.get("GJY_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # What a 补正 notice gives the applicant to supply the materials (a procedure's supplementLimit wins).
        "SUPPLEMENT_LIMIT": os.environ.get("GJY_SUPPLEMENT_LIMIT", "10 working days"),
        # Case numbers: prefix-year-sequence, the year in this time zone.
        "TIMEZONE": os.environ.get("GJY_TIMEZONE", "Asia/Shanghai"),
        # OpenAPI (flask-smorest)
        "API_TITLE": "桂建云 Cases API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The session cookie goes over HTTPS only, except in demo mode (http://127.0.0.1);
        # GJY_SECURE_COOKIES=0 for another plain-HTTP run, =1 to force it.
        "SESSION_COOKIE_SECURE": _bool("GJY_SECURE_COOKIES", default=not demo),
        # A signed-in session idle this long ends (each request renews it); minutes, default 30.
        "PERMANENT_SESSION_LIFETIME": 60 * _int("GJY_SESSION_IDLE_MINUTES", "30"),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (werkzeug's ProxyFix trusts
        # this many hops); 0: none, the client is the peer of the socket.
        "TRUSTED_PROXIES": _int("GJY_TRUSTED_PROXIES", "0"),
        # Per-IP limits (Flask-Limiter): its storage is shared by every worker only on Redis
        # (redis://host:6379/2); memory:// counts per process.
        "RATELIMIT_STORAGE_URI": os.environ.get("GJY_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Sign-in and code requests per client IP (Flask-Limiter's notation, ";" between limits).
        "SIGNIN_IP_LIMIT": os.environ.get("GJY_SIGNIN_IP_LIMIT", "30 per minute;300 per hour"),
        # Registration attempts per client IP (each may reach the paid verifier).
        "REGISTER_IP_LIMIT": os.environ.get("GJY_REGISTER_IP_LIMIT", "10 per minute;50 per hour"),
        # SMS for sign-in codes and registration links: console (log, masked) | http | memory (tests).
        "SMS_GATEWAY": os.environ.get("GJY_SMS_GATEWAY", "console"),
        "SMS_GATEWAY_URL": os.environ.get("GJY_SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_TOKEN": os.environ.get("GJY_SMS_GATEWAY_TOKEN", ""),
        # Identity verification (face, corporate micro-payment, real name): the vendor's HTTP API; in demo
        # mode without one, a stand-in on 127.0.0.1 (app.integrations.standin).
        "VERIFIER_URL": os.environ.get("GJY_VERIFIER_URL", ""),
        "VERIFIER_TOKEN": os.environ.get("GJY_VERIFIER_TOKEN", ""),
        "VERIFIER_TIMEOUT": _float("GJY_VERIFIER_TIMEOUT", "10"),
        # The quality-and-safety supervision system (在建项目 by construction-permit number): its HTTP API; in demo
        # mode without one, a stand-in on 127.0.0.1 (app.integrations.quality_safety_standin).
        "QUALITY_SAFETY_URL": os.environ.get("GJY_QUALITY_SAFETY_URL", ""),
        "QUALITY_SAFETY_TOKEN": os.environ.get("GJY_QUALITY_SAFETY_TOKEN", ""),
        "QUALITY_SAFETY_TIMEOUT": _float("GJY_QUALITY_SAFETY_TIMEOUT", "10"),
        # Data exchange (docs/operations.md): per system GJY_EXCHANGE_<SYSTEM>_URL, _KEY, _INBOUND_KEY,
        # _TIMEOUT, kept here without the prefix (NATIONAL_PLATFORM_URL ...); in demo mode a system without
        # a URL is served by a stand-in on 127.0.0.1 (app.integrations.exchange.standin).
        "EXCHANGE_SETTINGS": {name.removeprefix("GJY_EXCHANGE_"): value for name, value in os.environ.items()
                              if name.startswith("GJY_EXCHANGE_")},
        # A system's base URL may also be given as GJY_<SYSTEM>_URL (GJY_NATIONAL_PLATFORM_URL, the name issue 22
        # promised); GJY_EXCHANGE_<SYSTEM>_URL wins where both are set.
        "EXCHANGE_URLS": {name.removeprefix("GJY_").removesuffix("_URL"): value
                          for name, value in os.environ.items() if name.startswith("GJY_")
                          and name.endswith("_URL") and not name.startswith("GJY_EXCHANGE_")},
        # Delivery: attempts before a message is dead-lettered, the backoff (seconds, doubled each attempt,
        # with jitter, capped), how long a claimed message is a worker's before another may take it over.
        "EXCHANGE_MAX_ATTEMPTS": _int("GJY_EXCHANGE_MAX_ATTEMPTS", "10"),
        "EXCHANGE_BACKOFF_SECONDS": _float("GJY_EXCHANGE_BACKOFF_SECONDS", "5"),
        "EXCHANGE_BACKOFF_CAP_SECONDS": _float("GJY_EXCHANGE_BACKOFF_CAP_SECONDS", "3600"),
        "EXCHANGE_LEASE_SECONDS": _float("GJY_EXCHANGE_LEASE_SECONDS", "60"),
        # Inbound: a signed request older or newer than this many seconds is refused (replay window).
        "EXCHANGE_REPLAY_WINDOW_SECONDS": _int("GJY_EXCHANGE_REPLAY_WINDOW_SECONDS", "300"),
        "JSON_AS_ASCII": False,
    }


def engine_options(url: str, timeout_seconds: float = 30) -> dict[str, Any]:
    """Engine options that suit the database URL (the app sets them unless the config gives its own).

    No pool_pre_ping: it costs a round trip per request; a connection found dead is answered 503 once
    (app.db.unit_of_work) and the pool replaces it (SQLAlchemy invalidates connections on disconnect errors).
    """
    if url.startswith("sqlite"):
        # Writers wait for each other instead of failing at once (up to the timeout; PRAGMA busy_timeout
        # is set from the same value on every connection: app._tune_sqlite).
        return {"connect_args": {"timeout": timeout_seconds}}
    milliseconds = int(timeout_seconds * 1000)
    return {"connect_args": {"options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}"},
            "pool_recycle": 3600}


def public_url(path: str = "") -> str:
    """An address as it is sent out (SMS, e-mail, a document's verification link): `path` on the configured
    public address (GJY_PUBLIC_URL), never on the Host a request named (anyone may name any)."""
    return f"{str(current_app.config.get('PUBLIC_URL') or '').rstrip('/')}{path}"
