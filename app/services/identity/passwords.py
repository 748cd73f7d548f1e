"""Password policy and hashing: length, character classes, no account name inside, none of the last five."""
from __future__ import annotations

import string

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import DomainError, Message
from app.extensions import db
from app.models import PasswordHistory

DEFAULT_PASSWORD_HASH_METHOD = "scrypt"
MIN_LENGTH = 10
MIN_CLASSES = 3
HISTORY = 5  # a new password may be none of the last five (the current one included)
MAX_LENGTH = 128


class WeakPassword(DomainError):
    status, code, message = 422, "weak_password", "密码不符合要求"


def hash_method() -> str:
    """werkzeug's method for new hashes: the app's PASSWORD_HASH_METHOD (scrypt unless configured)."""
    return str(current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=hash_method())


def _classes(password: str) -> int:
    return sum((any(c in string.ascii_lowercase for c in password), any(c in string.ascii_uppercase for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def check_policy(password: str, username: str) -> None:
    """Refuse a weak password with a Chinese message naming the rule (WeakPassword, 422)."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        raise WeakPassword(Message("密码长度须为 {min}–{max} 位", min=MIN_LENGTH, max=MAX_LENGTH))
    if _classes(password) < MIN_CLASSES:
        raise WeakPassword("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类")
    if len(username) >= 3 and username.lower() in password.lower():
        raise WeakPassword("密码不得包含账号名")


def check_not_reused(user_id: int, password: str) -> None:
    recent = db.session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user_id)
                                .order_by(PasswordHistory.id.desc()).limit(HISTORY))
    if any(check_password_hash(old, password) for old in recent):
        raise WeakPassword(Message("新密码不得与最近 {n} 次使用过的密码相同", n=HISTORY))


def remember(user_id: int, password_hash: str) -> None:
    """Keep the new hash in the history, and only the last HISTORY of them."""
    db.session.add(PasswordHistory(user_id=user_id, password_hash=password_hash))
    db.session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user_id) \
        .order_by(PasswordHistory.id.desc()).limit(HISTORY)
    db.session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user_id,
                                                     PasswordHistory.id.not_in(keep.scalar_subquery()))
                       .execution_options(synchronize_session=False))
