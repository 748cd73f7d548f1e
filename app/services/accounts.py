"""Users, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import utcnow
from app.errors import NotFound
from app.extensions import db
from app.models import ApiToken, Organisation, OrganisationKind, Person, Role, User, UserRole


def create_user(username: str, display_name: str, password: str, organisation_id: int,
                region_code: str, roles: list[str], person_id: int | None = None,
                phone: str | None = None) -> User:
    user = User(username=username, display_name=display_name,
                password_hash=generate_password_hash(password), organisation_id=organisation_id,
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


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


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


# Every API request starts here: the user, its organisation and its roles in one statement
# (by default the roles are a second SELECT), built once.
_USER_OF_TOKEN = (select(User, ApiToken.revoked, ApiToken.expires_at)
                  .join(ApiToken, ApiToken.user_id == User.id)
                  .where(ApiToken.token_sha256 == bindparam("digest"))
                  .options(joinedload(User.role_rows)))


def user_for_token(token: str) -> User | None:
    row = db.session.execute(_USER_OF_TOKEN, {"digest": hashlib.sha256(token.encode()).hexdigest()}
                             ).unique().one_or_none()
    if row is None:
        return None
    user, revoked, expires_at = row
    if revoked or (expires_at is not None and expires_at < utcnow()):
        return None
    return user if user.active else None
