"""Who is calling: Flask-Login sessions for pages, bearer tokens for the API (api/ and web/ only)."""
from __future__ import annotations

from flask import g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from app.errors import Message, NotAllowed, NotAuthenticated
from app.extensions import db, login_manager
from app.models import Actor, User
from app.services.identity.accounts import demo_mode
from app.services.identity.tokens import user_for_token

# The user's session_version when the session signed in: a session whose number is no longer the
# user's (signed out, new password) is not signed in any more, even with a cookie captured before.
SESSION_VERSION_KEY = "_session_version"
# The scope the current API operation needs, set by app.api before the view runs (app/api/scopes.py).
REQUIRED_SCOPE = "gjy_required_scope"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement
    if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None
    if user.demo and not demo_mode():
        return None
    return user


def start_session(user: User) -> None:
    """Sign the page session in, as a new session: everything the cookie held before (a pending sign-in,
    anything an attacker planted) is cleared; the page language has a cookie of its own. Flask's session is
    the signed cookie itself, so a new content is a new session; the old cookie stops working through
    session_version only at sign-out. It ends after PERMANENT_SESSION_LIFETIME without a request."""
    session.clear()
    session.permanent = True
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version


def end_session() -> None:
    """Sign this page session out (the caller has ended the user's sessions in the database first)."""
    logout_user()
    session.pop(SESSION_VERSION_KEY, None)


def bearer_actor() -> Actor:
    """The API caller, from `Authorization: Bearer <token>`; sessions are not accepted (no CSRF risk). The
    token must carry the scope the operation needs (read for reads, write for any change)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌", code="token_missing")
    caller = user_for_token(token.strip(), request.remote_addr)
    if caller is None:
        raise NotAuthenticated("访问令牌无效或已过期", code="token_invalid")
    required = g.get(REQUIRED_SCOPE, "write")  # an operation without a scope needs the most
    if required not in caller.scopes:
        raise NotAllowed(Message("访问令牌没有 {scope} 权限范围", scope=required), code="token_scope_missing")
    return caller.actor


def session_actor() -> User:
    if not current_user.is_authenticated:
        raise NotAuthenticated()
    return current_user._get_current_object()
