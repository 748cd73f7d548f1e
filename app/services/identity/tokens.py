"""API bearer tokens: scoped (read, write), expiring within a bounded lifetime, revocable by their owner
and an admin, stored as SHA-256 only, their last use recorded."""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db import add_before_commit, add_kept_on_rollback, add_rollback_hooks, attempt, utcnow
from app.errors import DomainError, Message, NotFound, RuleViolation
from app.extensions import db
from app.models import Actor, ApiToken, Organisation, Role, SignedIn, User, UserRole
from app.policy import region_covers, region_scope, require_admin
from app.services import audit
from app.services.identity.changes import record_change

log = logging.getLogger("app.security")

SCOPES = ("read", "write")
MAX_DAYS = 365
DEFAULT_DAYS = 90
LAST_USE_EVERY = timedelta(minutes=1)  # last use is written at most this often per token


class InvalidTokenRequest(DomainError):
    status, code, message = 422, "invalid_token_request", "令牌参数有误"


@dataclass(frozen=True)
class TokenCaller:
    """Who a bearer token names, and what the token lets him do."""

    actor: SignedIn
    scopes: frozenset[str]
    token_id: int


def _normal_scopes(scopes: Iterable[str]) -> str:
    chosen = [s for s in SCOPES if s in set(scopes)]
    unknown = set(scopes) - set(SCOPES)
    if unknown or not chosen:
        raise InvalidTokenRequest("令牌权限范围只能是 read、write 或两者", code="invalid_scope")
    return " ".join(chosen)


def issue_token(user: User, days: int = DEFAULT_DAYS, scopes: Iterable[str] = SCOPES, name: str = "") -> str:
    """Create a bearer token valid `days` days (1..365); only its hash is stored, the token is returned once."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidTokenRequest(Message("令牌有效期须为 1–{max} 天", max=MAX_DAYS), code="invalid_token_days")
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                   name=name.strip()[:100], scopes=_normal_scopes(scopes), expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    log.info("API token %d issued for user %d (%s, %d days)", row.id, user.id, row.scopes, days)
    return token


def create_token(actor: Actor | None, days: int = DEFAULT_DAYS, scopes: Iterable[str] = SCOPES, name: str = "",
                 source_ip: str | None = None, *, owner: User | None = None) -> tuple[ApiToken, str]:
    """A token for the actor himself (pages, API), or one the system issues (actor None: the CLI, as its other
    commands) for `owner`; recorded as an account change by the actor, on the owner. Returns the row and the
    token's value (shown once)."""
    if actor is None and owner is None:
        raise ValueError("a token the system issues names its owner")
    if actor is not None and owner is not None and owner.id != actor.id:
        raise ValueError("a user issues tokens for himself only")
    user = owner if actor is None else db.session.get(User, actor.id)
    if user is None:
        raise NotFound("未找到用户", code="user_not_found")
    if user.demo and not current_app.config.get("DEMO"):  # its tokens would be refused (user_for_token)
        raise RuleViolation("演示账号的令牌仅在演示模式（GJY_DEMO=1）下可用", code="demo_user")
    value = issue_token(user, days, scopes, name)
    token = newest_token(user)
    record_change(actor, "token_issued", user, source_ip=source_ip, token=token.id, scopes=token.scopes, days=days)
    return token, value


def newest_token(user: User) -> ApiToken:
    """The token issued last to the user (the one issue_token has just made)."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc()).limit(1)).one()


def list_tokens(owner: Actor, include_revoked: bool = True) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
    if not include_revoked:
        query = query.where(ApiToken.revoked.is_(False))
    return list(db.session.scalars(query))


def revoke_all_tokens(user: User, by: Actor | None) -> int:
    """Every token of the user still valid revoked (the account suspended or removed, a new password: what was
    given out under the old one must not outlive it); how many."""
    now, tokens = utcnow(), list_tokens(user, include_revoked=False)
    for token in tokens:
        token.revoked, token.revoked_at, token.revoked_by_id = True, now, by.id if by is not None else None
    return len(tokens)


def administered_tokens(admin: Actor) -> Select[ApiToken]:
    """Tokens an admin may see and revoke: those of users in his region (the province: all)."""
    require_admin(admin)
    return (select(ApiToken).join(User, User.id == ApiToken.user_id)
            .where(region_scope(User.region_code, admin.region_code)).order_by(ApiToken.id.desc()))


def get_token_for(actor: Actor, token_id: int) -> ApiToken:
    """A token the actor may manage: his own, or (an admin) one of a user in his region; else 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("未找到该令牌", code="token_not_found")
    if token.user_id == actor.id:
        return token
    if actor.has_role(Role.ADMIN) and region_covers(actor.region_code, token.user.region_code):
        return token
    raise NotFound("未找到该令牌", code="token_not_found")


def revoke_token(actor: Actor, token_id: int, source_ip: str | None = None) -> ApiToken:
    """Revoke a token (idempotent): its owner or an admin of the owner's region; recorded."""
    token = get_token_for(actor, token_id)
    if not token.revoked:
        token.revoked, token.revoked_at, token.revoked_by_id = True, utcnow(), actor.id
        db.session.flush()
        record_change(actor, "token_revoked", token.user, source_ip=source_ip, token=token.id)
    return token


# Every API request starts here: the caller as plain values, with its organisation's kind, its roles, its
# rights as an operator and the token's scopes, in one statement of columns (no ORM objects to build: it runs
# on every request).
_CALLER_OF_TOKEN = (
    select(User.id, User.username, User.display_name, User.organisation_id, User.region_code, User.person_id,
           User.active, User.demo, User.allowed_procedures, Organisation.kind, ApiToken.id.label("token_id"),
           ApiToken.revoked, ApiToken.expires_at, ApiToken.scopes, ApiToken.last_used_at, UserRole.role)
    .join(ApiToken, ApiToken.user_id == User.id).join(Organisation, Organisation.id == User.organisation_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_sha256 == bindparam("digest")))


# The token uses this request is to record, written just before its unit of work commits (app.db's before-
# commit hooks): on SQLite the write takes the database's write lock, held from then to the commit, which a
# note at the start of a request that reads would hold through all its reads. A refused request's uses are
# written after its rollback, in a transaction of their own (`add_kept_on_rollback`).
_USES: ContextVar[list[tuple[Actor, int, str | None]] | None] = ContextVar("gjy_token_uses", default=None)


def init_app(app: Flask) -> None:
    add_before_commit(app, _write_uses)
    add_rollback_hooks(app, lambda: len(_USES.get() or ()), _drop_uses_after)
    add_kept_on_rollback(app, _uses_kept_on_rollback)


def _note_use(actor: Actor, token_id: int, source_ip: str | None) -> None:
    """Record the token's use, at most once a minute, when the request commits."""
    uses = _USES.get()
    if uses is None:
        uses = []
        _USES.set(uses)
    uses.append((actor, token_id, source_ip))


def _drop_uses_after(count: int) -> None:
    uses = _USES.get()
    if uses:
        del uses[count:]


def _uses_kept_on_rollback() -> Callable[[], None] | None:
    """A refused request's token uses, written after its rollback (a use is a use, whatever the answer)."""
    uses = list(_USES.get() or ())
    if not uses:
        return None
    return lambda: _write(db.session(), uses)


def _write_uses(session: Session) -> None:
    uses = _USES.get()
    if not uses:
        return
    _USES.set(None)
    _write(session, uses)


def _write(session: Session, uses: list[tuple[Actor, int, str | None]]) -> None:
    """Best effort, each in a savepoint: on SQLite a concurrent writer may refuse it, and a request that only
    reads must not fail for that."""
    for actor, token_id, source_ip in uses:
        try:
            with attempt(session):
                session.execute(update(ApiToken).where(ApiToken.id == token_id)
                                .values(last_used_at=utcnow(), last_used_ip=source_ip[:45] if source_ip else None)
                                .execution_options(synchronize_session=False))
                audit.record(actor, "token.used", "api_token", token_id, source_ip=source_ip)
        except OperationalError:
            log.info("last use of API token %d not recorded (database busy)", token_id)


def _rights(rights: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(rights) if rights is not None else None


TOKEN_STATES = {"revoked": "已吊销", "expired": "已过期", "user_inactive": "账号已停用", "valid": "有效"}


def token_state(token: ApiToken) -> str:
    """Whether a token would be accepted now, and if not why (a key of TOKEN_STATES): what `user_for_token`
    decides, so that the token pages never call "valid" what the API refuses."""
    if token.revoked:
        return "revoked"
    if token.expires_at is not None and token.expires_at < utcnow():
        return "expired"
    return "valid" if token.user.active else "user_inactive"


def user_for_token(token: str, source_ip: str | None = None) -> TokenCaller | None:
    """The caller a bearer token names; None for an unknown, revoked or expired token, an inactive user, or
    a demo user outside demo mode."""
    # Rows of columns, read on the session's connection: the ORM's execution and result layers would only
    # add CPU. Anything pending is flushed first, as the session's own execute would autoflush it.
    db.session.flush()
    rows = db.session.connection().execute(
        _CALLER_OF_TOKEN, {"digest": hashlib.sha256(token.encode()).hexdigest()}).all()
    if not rows:
        return None
    first = rows[0]
    now = utcnow()
    if first.revoked or (first.expires_at is not None and first.expires_at < now) or not first.active:
        return None
    if first.demo and not current_app.config.get("DEMO"):
        return None
    actor = SignedIn(id=first.id, username=first.username, display_name=first.display_name,
                     organisation_id=first.organisation_id, organisation_kind=first.kind,
                     region_code=first.region_code, person_id=first.person_id,
                     roles=frozenset(row.role for row in rows if row.role is not None),
                     allowed_procedures=_rights(first.allowed_procedures))
    if first.last_used_at is None or first.last_used_at < now - LAST_USE_EVERY:
        _note_use(actor, first.token_id, source_ip)
    return TokenCaller(actor, frozenset(first.scopes.split()), first.token_id)
