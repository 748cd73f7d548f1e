"""Accounts: creating users, signing in (password, then the SMS code) and out, new passwords."""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import InvalidForm, Message, NotFound
from app.extensions import db
from app.log_masking import mask_text
from app.models import Organisation, OrganisationKind, Person, Role, User, UserRole
from app.models.identity import LoginEvent
from app.services import audit
from app.services.identity import passwords
from app.services.identity.changes import record_change
from app.services.identity.codes import check_code
from app.services.identity.throttle import count_attempt, forget
from app.services.identity.tokens import issue_token, revoke_all_tokens, user_for_token

log = logging.getLogger("app.security")


def hash_password(password: str) -> str:
    return passwords.hash_password(password)


def create_user(username: str, display_name: str, password: str, organisation_id: int,
                region_code: str, roles: list[str], person_id: int | None = None,
                phone: str | None = None, demo: bool = False) -> User:
    """A new account; a weak password is refused (passwords.WeakPassword, in Chinese), so are a username or a
    name the account cannot hold (InvalidForm: every form that makes accounts has these fields)."""
    problems = account_name_problems(username, display_name)
    if problems:
        raise InvalidForm(problems)
    passwords.check_policy(password, username)
    user = User(username=username, display_name=display_name,
                password_hash=hash_password(password), organisation_id=organisation_id,
                region_code=region_code, person_id=person_id, phone=phone, demo=demo)
    user.role_rows = [UserRole(role=r) for r in roles]
    db.session.add(user)
    db.session.flush()
    passwords.remember(user.id, user.password_hash)
    return user


MAX_USERNAME, MAX_DISPLAY_NAME = 64, 100  # the columns' lengths
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")


def account_name_problems(username: str, display_name: str) -> dict[str, str]:
    """What is wrong with a new account's username and name, by field: checked on the server (the pages' own
    limits are only in the browser; PostgreSQL refuses a value longer than its column with a 500)."""
    problems: dict[str, str] = {}
    if not _USERNAME.fullmatch(username) or len(username) > MAX_USERNAME:
        problems["username"] = Message("账号名须为 1 至 {n} 位字母、数字或 . _ @ -，以字母或数字开头", n=MAX_USERNAME)
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        # City-Nanning beside city-nanning: two accounts a reader (and a sign-in typed in haste) cannot tell apart.
        problems["username"] = "账号名已被使用（账号名不区分大小写）"
    if not display_name.strip() or len(display_name) > MAX_DISPLAY_NAME:
        problems["display_name"] = Message("姓名须为 1 至 {n} 个字符", n=MAX_DISPLAY_NAME)
    return problems


def create_individual(username: str, password: str, person: Person, region_code: str,
                      phone: str | None = None, demo: bool = False) -> User:
    """An individual's account: a personal organisation of his own (not his employer's), the individual
    role, linked to his person record. Organisation-wide rules (who sees a case, who may claim an
    applicant's task) then reach him alone."""
    own = Organisation(kind=OrganisationKind.INDIVIDUAL, name=personal_organisation_name(person.name),
                       region_code=region_code)
    db.session.add(own)
    db.session.flush()
    return create_user(username, person.name, password, own.id, region_code, [Role.INDIVIDUAL.value],
                       person_id=person.id, phone=phone, demo=demo)


def personal_organisation_name(name: str) -> str:
    return f"{name}（个人）"


# -- signing in and out ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginLimits:
    """At most `max_failures` password checks per user name within `window` (from its first attempt) unless
    one succeeds; further attempts are refused without checking the password until the window ends."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    user: User | None  # None: refused
    locked_minutes: int = 0  # > 0: refused because the user name is locked, for about this many minutes
    no_phone: bool = False  # the password was right, but the account has no phone for the code


class LoginOutcome:
    PASSWORD_OK, SUCCESS, FAILURE, LOCKED, CODE_FAILURE, LOGOUT = (
        "password_ok", "success", "failure", "locked", "code_failure", "logout")


@cache
def _dummy_hash(method: str) -> str:
    """A hash made as real ones are (same method and cost), checked for unknown user names so they take as
    long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _record(outcome: str, username: str, user: User | None, source_ip: str | None) -> None:
    db.session.add(LoginEvent(username=username, user_id=user.id if user else None, outcome=outcome,
                              source_ip=source_ip[:45] if source_ip else None))
    db.session.flush()
    audit.record(user, f"sign_in.{outcome}", "user", user.id if user else "", source_ip=source_ip, actor_name=username)


def demo_mode() -> bool:
    return bool(current_app.config.get("DEMO"))


def _signing_user(name: str) -> User | None:
    """The account a sign-in names; a demo account exists only in demo mode, a removed one never."""
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None or (user.demo and not demo_mode()) or user.removed_at is not None:
        return None
    return user


def sign_in(username: str, password: str, source_ip: str | None = None,
            limits: LoginLimits | None = None) -> LoginResult:
    """The first factor (password): throttled per user name by one atomic counter taken before the check,
    the same work for unknown names (a dummy hash check), every attempt recorded in login_events and logged
    (masked; never the password). The caller commits even when refused, then asks for the SMS code."""
    limits = limits or LoginLimits()
    name = username[:64]
    shown = mask_text(name)
    attempt = count_attempt(f"signin:{name}", limits.window)
    if attempt.number > limits.max_failures:
        locked = attempt.minutes_left(limits.window)
        _record(LoginOutcome.LOCKED, name, None, source_ip)
        log.warning("sign-in refused, user name locked for %d min: %s from %s", locked, shown, source_ip)
        return LoginResult(None, locked_minutes=locked)
    user = _signing_user(name) if name == username else None
    stored = user.password_hash if user is not None else _dummy_hash(passwords.hash_method())
    password_ok = check_password_hash(stored, password)
    if user is None or not password_ok or not user.active:
        _record(LoginOutcome.FAILURE, name, user, source_ip)
        reason = "unknown user" if user is None else ("wrong password" if not password_ok else "inactive user")
        log.warning("sign-in failed (%s): %s from %s", reason, shown, source_ip)
        return LoginResult(None)
    forget(f"signin:{name}")
    _record(LoginOutcome.PASSWORD_OK, name, user, source_ip)
    if not user.phone:
        log.warning("sign-in stopped, no phone for the code: %s (user %d)", shown, user.id)
        return LoginResult(None, no_phone=True)
    log.info("sign-in password accepted: %s (user %d) from %s", shown, user.id, source_ip)
    return LoginResult(user)


def pending_user(user_id: int) -> User | None:
    """The user between password and code, if he may still sign in."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or (user.demo and not demo_mode()) or user.removed_at is not None:
        return None
    return user


def complete_sign_in(user: User, code: str, source_ip: str | None = None) -> str | None:
    """The second factor: None when the SMS code is accepted (the sign-in succeeds), else the refusal's key
    (codes.CODE_REFUSALS). Either way recorded; the caller commits."""
    refusal = check_code(user.id, code)
    if refusal is None:
        _record(LoginOutcome.SUCCESS, user.username, user, source_ip)
        log.info("sign-in: %s (user %d) from %s", mask_text(user.username), user.id, source_ip)
    else:
        _record(LoginOutcome.CODE_FAILURE, user.username, user, source_ip)
        log.warning("sign-in code refused (%s): %s from %s", refusal, mask_text(user.username), source_ip)
    return refusal


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


def set_password(user: User, password: str) -> int:
    """A new password (the policy, none of the last five); the sessions signed in with the old one end and the
    API tokens made under it are revoked (someone who learnt the old password may have made one): how many."""
    passwords.check_policy(password, user.username)
    passwords.check_not_reused(user.id, password)
    user.password_hash, user.password_must_change = hash_password(password), False
    revoked = revoke_all_tokens(user, user)
    db.session.flush()
    passwords.remember(user.id, user.password_hash)
    end_sessions(user)
    log.info("password changed: %s (user %d), %d API tokens revoked", mask_text(user.username), user.id, revoked)
    return revoked


def change_own_password(user: User, current: str, new: str, source_ip: str | None = None) -> int:
    """The user's own new password, after his current one (WeakPassword with a Chinese message otherwise); how
    many of his API tokens were revoked with the old one. The current password is checked as a sign-in's is, at
    most LoginLimits' 5 times in 15 minutes: a signed-in browser left alone is no oracle of it."""
    limits = LoginLimits()
    attempt = count_attempt(f"password:{user.id}", limits.window)
    if attempt.number > limits.max_failures:
        raise passwords.WeakPassword(Message("当前密码错误次数过多，请 {n} 分钟后再试",
                                             n=attempt.minutes_left(limits.window)), code="current_password_locked")
    if not check_password_hash(user.password_hash, current):
        log.warning("password change refused, wrong current password: user %d from %s", user.id, source_ip)
        raise passwords.WeakPassword("当前密码不正确", code="wrong_current_password")
    forget(f"password:{user.id}")
    revoked = set_password(user, new)
    record_change(user, "password_changed", user, source_ip=source_ip,
                  **({"revoked_tokens": revoked} if revoked else {}))
    return revoked


def get_user_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"未找到用户 {username}", code="user_not_found")
    return user


__all__ = ["LoginLimits", "LoginOutcome", "LoginResult", "change_own_password", "complete_sign_in",
           "create_individual", "create_user", "end_sessions", "get_user_by_username", "hash_password", "issue_token",
           "pending_user", "set_password", "sign_in", "sign_out", "user_for_token"]
