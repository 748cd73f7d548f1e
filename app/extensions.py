"""Flask extension instances, one line each; wiring lives in create_app."""
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from app.db import Base


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, except that a bind given to the session itself (`Session(bind=...)`,
    `sessionmaker.configure(bind=...)`) wins over the app's engine, as in a plain SQLAlchemy session:
    Flask-SQLAlchemy's `get_bind` ignores it. The app never sets one; the tests bind every session to
    one connection inside an outer transaction that they roll back (SQLAlchemy's "joining a Session into
    an external transaction")."""

    _engine: sa.Engine | None = None

    def get_bind(self, mapper: Any | None = None, clause: Any | None = None,
                 bind: sa.Engine | sa.Connection | None = None, **kwargs: Any) -> sa.Engine | sa.Connection:
        if bind is not None:
            return bind
        if self.bind is not None:
            return self.bind
        # One database (no SQLALCHEMY_BINDS): every mapper and statement goes to the app's engine. A session
        # lives in one app context, so its engine is looked up once, not per table of each flush (Flask-
        # SQLAlchemy's lookup goes through the app context each time: ~17 times per request).
        if self._engine is None:
            engines = self._db.engines
            if set(engines) != {None}:  # binds configured: Flask-SQLAlchemy chooses per table
                return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
            self._engine = engines[None]
        return self._engine


# Objects stay usable after the commit (responses are serialized after it) without reloading.
db = SQLAlchemy(model_class=Base, session_options={"class_": Session, "expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
# Per client IP (request.remote_addr: the client's behind ProxyFix); no default limit, routes name theirs.
limiter = Limiter(key_func=get_remote_address)

View = TypeVar("View", bound=Callable[..., Any])
# The view functions that carry a limit (`rate_limit`): every other request skips the limiter's work.
LIMITED_VIEWS: set[Callable[..., Any]] = set()
# Limits that apply to every route when configured: with one of them, every request is checked.
APP_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def rate_limit(limit_value: str | Callable[[], str], methods: list[str] | None = None) -> Callable[[View], View]:
    """`limiter.limit`, with the view remembered as limited (see `unlimited_request`)."""
    decorate = limiter.limit(limit_value, methods=methods)

    def apply(view: View) -> View:
        limited = cast(View, decorate(view))
        LIMITED_VIEWS.add(limited)
        return limited

    return apply


@limiter.request_filter
def unlimited_request() -> bool:
    """Exempt (the limiter resolves nothing) when no limit can apply: the matched view has none of its own
    and no app-wide limit is configured. The limiter otherwise resolves its limits on every request."""
    app = current_app
    if any(app.config.get(name) for name in APP_WIDE_LIMITS):
        return False
    return app.view_functions.get(request.endpoint or "") not in LIMITED_VIEWS
