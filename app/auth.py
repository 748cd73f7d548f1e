"""Who is calling: Flask-Login sessions for pages, bearer tokens for the API (api/ and web/ only)."""
from __future__ import annotations

from flask import request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from app.errors import NotAuthenticated
from app.extensions import db, login_manager
from app.models import Actor, User
from app.services.identity.accounts import user_for_token

# The user's session_version when the session signed in: a session whose number is no longer the
# user's (signed out, new password) is not signed in any more, even with a cookie captured before.
SESSION_VERSION_KEY = "_session_version"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement
    if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    return user


def start_session(user: User) -> None:
    """Sign the page session in; it ends after PERMANENT_SESSION_LIFETIME without a request."""
    session.permanent = True
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version


def end_session() -> None:
    """Sign this page session out (the caller has ended the user's sessions in the database first)."""
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)


def bearer_actor() -> Actor:
    """The API caller, from `Authorization: Bearer <token>`; sessions are not accepted (no CSRF risk)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌", code="token_missing")
    user = user_for_token(token.strip())
    if user is None:
        raise NotAuthenticated("访问令牌无效或已过期", code="token_invalid")
    return user


def session_actor() -> User:
    if not current_user.is_authenticated:
        raise NotAuthenticated()
    return current_user._get_current_object()
