"""Flask extension instances, one line each; wiring lives in create_app."""
from typing import Any

import sqlalchemy as sa
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

    def get_bind(self, mapper: Any | None = None, clause: Any | None = None,
                 bind: sa.Engine | sa.Connection | None = None, **kwargs: Any) -> sa.Engine | sa.Connection:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


# Objects stay usable after the commit (responses are serialized after it) without reloading.
db = SQLAlchemy(model_class=Base, session_options={"class_": Session, "expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
# Per client IP (request.remote_addr: the client's behind ProxyFix); no default limit, routes name theirs.
limiter = Limiter(key_func=get_remote_address)
