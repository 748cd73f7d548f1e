"""Who is calling: Flask-Login sessions for pages, bearer tokens for the API (api/ and web/ only)."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.errors import NotAuthenticated
from app.extensions import db, login_manager
from app.models import User
from app.services.accounts import user_for_token


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement
    return user if user is not None and user.active else None


def bearer_actor() -> User:
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
