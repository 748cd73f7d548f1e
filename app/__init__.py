"""Application factory: config -> extensions -> api, web, errors, cli -> jobs."""
from __future__ import annotations

import logging
import sys
import weakref
from typing import Any

from flask import Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config, log_masking, routing
from app.db import transactional
from app.errors import DatabaseUnavailable, DomainError
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.sessions import CookieSessions

SECURITY_LOGGER = "app.security"
log = logging.getLogger(__name__)

# No inline script runs on the pages (the case diagram's data is a JSON block), so scripts come from the
# app alone; inline styles exist (style attributes, the dashboard's <style>), hence 'unsafe-inline' there.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # never a URL (it may hold a search for an ID number) to another site
}
_SECURITY_HEADERS_LOWER = [(name.lower(), name, value) for name, value in SECURITY_HEADERS.items()]


class CasesApp(Flask):
    """Flask, with every request's view run as one unit of work (the transaction boundary of requests:
    what the view and its services change is committed when it returns and rolled back when it raises),
    the client's address being the origin of what the audit log records meanwhile."""

    _plain: weakref.WeakSet[Any] | None = None

    def ensure_sync(self, func: Any) -> Any:
        """Flask asks this for every hook and view of every request (an `inspect` of the function each time): a
        plain function, once known as such, is returned at once. Weakly kept: a request's own after-request
        function does not stay. Async functions are wrapped anew, as by Flask."""
        if self._plain is None:
            self._plain = weakref.WeakSet()
        try:
            if func in self._plain:
                return func
        except TypeError:  # a callable that takes no weak reference: asked each time
            return super().ensure_sync(func)
        ensured = super().ensure_sync(func)
        if ensured is func:
            self._plain.add(func)
        return ensured

    def dispatch_request(self) -> ResponseReturnValue:
        from app.services.audit import origin

        with origin(request.remote_addr):
            return transactional(super().dispatch_request)()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = CasesApp(__name__, instance_relative_config=True, template_folder="web/templates",
                   static_folder="web/static")
    app.session_interface = CookieSessions()
    load_config(app, test_config)
    init_extensions(app)
    init_handlers(app)
    routing.init_app(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_guard(app)
    register_audit(app)
    register_security_headers(app)
    register_commands(app)
    init_background(app)
    return app


# Exit status of a process whose settings must be fixed: what gunicorn takes as a worker that cannot boot (it
# stops, rather than starting the worker again and again).
CANNOT_BOOT = 3


def create_app_or_exit(test_config: dict[str, Any] | None = None) -> Flask:
    """create_app for the entry points (wsgi.py, worker.py, the flask command): a setting to fix is reported by
    its message alone, not by a traceback through the loader."""
    try:
        return create_app(test_config)
    except config.ConfigError as exc:
        print(f"gjy-cases: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(CANNOT_BOOT) from None


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    # From the final URL: a URL given in the mapping must not get the environment's database's options.
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", config.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["DB_TIMEOUT_SECONDS"]))
    config.check(app.config)
    if not app.config.get("SECRET_KEY"):
        raise config.ConfigError("SECRET_KEY is not set: export SECRET_KEY (or GJY_DEMO=1 for the demo)")
    if not app.config.get("DATA_KEY") and app.config.get("DEMO"):
        from app.crypto import demo_data_key

        app.config["DATA_KEY"] = demo_data_key(app.instance_path)
    if not app.config.get("DATA_KEY"):
        raise config.ConfigError("GJY_DATA_KEY is not set: export GJY_DATA_KEY (`python -m app.new_data_key` "
                                 "prints a new one; or GJY_DEMO=1 for the demo)")
    from pathlib import Path

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    init_logging(app)
    trust_proxies(app)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address and scheme are the ones they forward
    (X-Forwarded-For / -Proto, that many hops from the right); the proxies' own are not recorded."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_logging(app: Flask) -> None:
    """ID numbers and phones are masked in every line logged (app, werkzeug, gunicorn, Celery);
    sign-ins and sign-outs (logger app.security) are logged at INFO even where the app logs warnings only."""
    log_masking.install(app.logger)
    if app.config.get("WORKER") == "celery":
        log_masking.install_for_celery()
    security_log = logging.getLogger(SECURITY_LOGGER)
    if security_log.level == logging.NOTSET:
        security_log.setLevel(logging.INFO)


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    csrf.init_app(app)
    _init_limiter(app)
    from app import auth  # noqa: F401  (registers the user loader)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _init_limiter(app: Flask) -> None:
    from limits.errors import ConfigurationError

    try:
        limiter.init_app(app)
    except ConfigurationError as exc:  # e.g. an unknown scheme: named with the variable, not a library traceback
        raise config.ConfigError(f"GJY_RATELIMIT_STORAGE_URI={app.config['RATELIMIT_STORAGE_URI']!r}: {exc} "
                                 "(memory://, redis://host:port/db, ...)") from None


def _tune_sqlite(app: Flask) -> None:
    from sqlalchemy import event

    busy_milliseconds = int(float(app.config["DB_TIMEOUT_SECONDS"]) * 1000)
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable against app crashes
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_milliseconds}")
            cursor.close()


def init_handlers(app: Flask) -> None:
    """The procedures' service-task handlers, choice providers and validators (handlers/)."""
    from app.services.procedures.registry import install
    from handlers import build_registry

    install(app, build_registry(app.config.get("EXTRA_HANDLER_MODULES", ())))


def register_blueprints(app: Flask) -> None:
    from app.api import register_api
    from app.web import register_web

    register_api(app)
    register_web(app)


def register_error_handlers(app: Flask) -> None:
    from app.api import domain_error_response, http_error_response, is_api_request
    from app.web.errors import domain_error_page, http_error_page

    def on_domain_error(exc: DomainError) -> ResponseReturnValue:
        if is_api_request(request.path):
            return domain_error_response(exc)
        return domain_error_page(exc)

    def on_http_error(exc: HTTPException) -> ResponseReturnValue:
        if exc.code is None or exc.code < 400:  # routing redirects are HTTPExceptions too
            return exc
        answer = http_error_response(exc) if is_api_request(request.path) else http_error_page(exc)
        return with_exception_headers(answer, exc)

    def on_database_error(exc: OperationalError | InterfaceError) -> ResponseReturnValue:
        """The database failed outside a unit of work (which says DatabaseUnavailable itself): the signed-in
        user loaded by a page's before-request hook. The same 503 as inside one, the error logged."""
        log.error("database unavailable: %s", exc, exc_info=exc)
        return on_domain_error(DatabaseUnavailable())

    app.register_error_handler(DomainError, on_domain_error)
    app.register_error_handler(HTTPException, on_http_error)
    app.register_error_handler(OperationalError, on_database_error)
    app.register_error_handler(InterfaceError, on_database_error)


def with_exception_headers(answer: ResponseReturnValue, exc: HTTPException) -> Response:
    """The error page or body, with the headers the exception carries (`Allow` on a 405, as RFC 9110 asks;
    `Retry-After` on a 429 or 503)."""
    response = current_app.make_response(answer)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register_audit(app: Flask) -> None:
    """The audit log's entries are sealed into its hash chain as each unit of work commits; a deleted
    attachment's file is removed once its deletion has committed, a stored one's if it is rolled back. An API
    token's use is written just before the commit, and so before the seal, which seals its entry."""
    from app.services import audit
    from app.services.cases import attachments
    from app.services.identity import tokens

    tokens.init_app(app)
    audit.init_app(app)
    attachments.init_app(app)


def register_request_guard(app: Flask) -> None:
    from app import request_guard

    request_guard.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Every response: no sniffing, no framing, the CSP, same-origin referrers. Every page, API answer and
    download (personal data) is not stored by browsers or proxies; only the static assets are cached."""

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A view may have set one of them: it keeps its own. One pass over the headers (setdefault is one each).
        present = {name.lower() for name in response.headers.keys()}
        for lower, name, value in _SECURITY_HEADERS_LOWER:
            if lower not in present:
                response.headers.add(name, value)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response


def register_commands(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)


def init_background(app: Flask) -> None:
    from app.jobs import init_jobs

    init_jobs(app)
