"""Users, passwords and API tokens."""
from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import utcnow
from app.errors import NotFound
from app.extensions import db
from app.log_masking import mask_text
from app.models import ApiToken, Organisation, OrganisationKind, Person, Role, SignedIn, User, UserRole
from app.models.identity import LoginEvent

log = logging.getLogger("app.security")

DEFAULT_PASSWORD_HASH_METHOD = "scrypt"


def _hash_method() -> str:
    """werkzeug's method for new hashes: the app's PASSWORD_HASH_METHOD (scrypt unless configured)."""
    return str(current_app.config.get("PASSWORD_HASH_METHOD") or DEFAULT_PASSWORD_HASH_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def create_user(username: str, display_name: str, password: str, organisation_id: int,
                region_code: str, roles: list[str], person_id: int | None = None,
                phone: str | None = None) -> User:
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password), organisation_id=organisation_id,
                region_code=region_code, person_id=person_id, phone=phone)
    user.role_rows = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def create_individual(username: str, password: str, person: Person, region_code: str,
                      phone: str | None = None) -> User:
    """An individual's account: a personal organisation of his own (not his employer's), the individual
    role, linked to his person record. Organisation-wide rules (who sees a case, who may claim an
    applicant's task) then reach him alone."""
    own = Organisation(kind=OrganisationKind.INDIVIDUAL, name=personal_organisation_name(person.name),
                       region_code=region_code)
    db.session.add(own)
    db.session.flush()
    return create_user(username, person.name, password, own.id, region_code, [Role.INDIVIDUAL.value],
                       person_id=person.id, phone=phone)


def personal_organisation_name(name: str) -> str:
    return f"{name}（个人）"


# -- signing in and out ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginLimits:
    """After `max_failures` failed sign-ins for a user name within `window`, further attempts are refused
    (without checking the password) until the oldest of those failures is `window` old."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    user: User | None  # None: refused
    locked_minutes: int = 0  # > 0: refused because the user name is locked, for about this many minutes


class LoginOutcome:
    SUCCESS, FAILURE, LOCKED, LOGOUT = "success", "failure", "locked", "logout"


@cache
def _dummy_hash(method: str) -> str:
    """A hash made as real ones are (same method and cost), checked for unknown user names so they take as
    long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _recent_attempts(username: str, since: datetime, limit: int) -> list[LoginEvent]:
    """The newest checked attempts (failures and successes, not refusals) of a user name since a time."""
    return list(db.session.scalars(
        select(LoginEvent).where(LoginEvent.username == username, LoginEvent.created_at > since,
                                 LoginEvent.outcome.in_((LoginOutcome.FAILURE, LoginOutcome.SUCCESS)))
        .order_by(LoginEvent.created_at.desc(), LoginEvent.id.desc()).limit(limit)))


def _locked_minutes(username: str, limits: LoginLimits) -> int:
    """Minutes until this user name may try again (0: it may now). Counted per name typed, known or not,
    so a lock says nothing about whether the account exists."""
    now = utcnow()
    recent = _recent_attempts(username, now - limits.window, limits.max_failures)
    if len(recent) < limits.max_failures or any(e.outcome == LoginOutcome.SUCCESS for e in recent):
        return 0
    until = recent[-1].created_at + limits.window
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _record(outcome: str, username: str, user: User | None, source_ip: str | None) -> None:
    db.session.add(LoginEvent(username=username, user_id=user.id if user else None, outcome=outcome,
                              source_ip=source_ip[:45] if source_ip else None))
    db.session.flush()


def sign_in(username: str, password: str, source_ip: str | None = None,
            limits: LoginLimits | None = None) -> LoginResult:
    """Check a sign-in: throttled per user name, the same work for unknown names (a dummy hash check), every
    attempt recorded in login_events and logged (masked; never the password). Commit even when refused."""
    limits = limits or LoginLimits()
    name = username[:64]
    shown = mask_text(name)
    locked = _locked_minutes(name, limits)
    if locked:
        _record(LoginOutcome.LOCKED, name, None, source_ip)
        log.warning("sign-in refused, user name locked for %d min: %s from %s", locked, shown, source_ip)
        return LoginResult(None, locked_minutes=locked)
    user = db.session.scalar(select(User).where(User.username == name)) if name == username else None
    stored = user.password_hash if user is not None else _dummy_hash(_hash_method())
    password_ok = check_password_hash(stored, password)
    if user is None or not password_ok or not user.active:
        _record(LoginOutcome.FAILURE, name, user, source_ip)
        reason = "unknown user" if user is None else ("wrong password" if not password_ok else "inactive user")
        log.warning("sign-in failed (%s): %s from %s", reason, shown, source_ip)
        return LoginResult(None)
    _record(LoginOutcome.SUCCESS, name, user, source_ip)
    log.info("sign-in: %s (user %d) from %s", shown, user.id, source_ip)
    return LoginResult(user)


def end_sessions(user: User) -> None:
    """Every page session of the user ends: the version its cookies carry no longer matches."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_version=User.session_version + 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(user, ["session_version"])


def sign_out(user: User, source_ip: str | None = None) -> None:
    end_sessions(user)
    _record(LoginOutcome.LOGOUT, user.username, user, source_ip)
    log.info("sign-out: %s (user %d) from %s", mask_text(user.username), user.id, source_ip)


def set_password(user: User, password: str) -> None:
    """A new password; the sessions signed in with the old one end."""
    user.password_hash = hash_password(password)
    db.session.flush()
    end_sessions(user)
    log.info("password changed: %s (user %d)", mask_text(user.username), user.id)


def get_user_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"未找到用户 {username}", code="user_not_found")
    return user


def issue_token(user: User, days: int = 90) -> str:
    """Create a bearer token; only its hash is stored, the token itself is returned once."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                            expires_at=utcnow() + timedelta(days=days)))
    db.session.flush()
    return token


# Every API request starts here: the caller as plain values (an Actor), with its organisation's kind and
# its roles, in one statement of columns (no ORM objects to build: it runs on every request).
_CALLER_OF_TOKEN = (
    select(User.id, User.username, User.display_name, User.organisation_id, User.region_code, User.person_id,
           User.active, Organisation.kind, ApiToken.revoked, ApiToken.expires_at, UserRole.role)
    .join(ApiToken, ApiToken.user_id == User.id).join(Organisation, Organisation.id == User.organisation_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_sha256 == bindparam("digest")))


def user_for_token(token: str) -> SignedIn | None:
    """The caller a bearer token names; None for an unknown, revoked or expired token or an inactive user."""
    rows = db.session.execute(_CALLER_OF_TOKEN, {"digest": hashlib.sha256(token.encode()).hexdigest()}).all()
    if not rows:
        return None
    first = rows[0]
    if first.revoked or (first.expires_at is not None and first.expires_at < utcnow()) or not first.active:
        return None
    return SignedIn(id=first.id, username=first.username, display_name=first.display_name,
                    organisation_id=first.organisation_id, organisation_kind=first.kind,
                    region_code=first.region_code, person_id=first.person_id,
                    roles=frozenset(row.role for row in rows if row.role is not None))
