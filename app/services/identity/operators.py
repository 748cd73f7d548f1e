"""An enterprise's operators, managed by its main operator (主操作员): add, suspend, resume, remove, and
their rights (the procedures they may start). A main operator reaches his own enterprise's operators only."""
from __future__ import annotations

from sqlalchemy import select

from app.db import utcnow
from app.errors import InvalidForm, NotAllowed, NotFound, RuleViolation
from app.extensions import db
from app.models import Actor, OrganisationKind, Role, User
from app.services.identity.accounts import create_user, end_sessions
from app.services.identity.changes import record_change
from app.services.identity.tokens import revoke_all_tokens
from app.services.records.identifiers import is_valid_phone, normalise_identifier
from app.services.tasks.work import release_tasks_held_by

# Organisations whose main operator manages operators: enterprises and construction units (建设单位 register the
# same way, with the enterprise role; one was offered 经办人管理 and refused).
MANAGED_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.CONSTRUCTION_UNIT)


def require_main_operator(actor: Actor) -> User:
    """The acting main operator (NotAllowed for anyone else)."""
    user = db.session.get(User, actor.id)
    if (user is None or not user.main_operator or not actor.has_role(Role.ENTERPRISE)
            or actor.organisation_kind not in MANAGED_KINDS):
        raise NotAllowed("只有企业主操作员可以管理经办人", code="main_operator_only")
    return user


def list_operators(actor: Actor) -> list[User]:
    main = require_main_operator(actor)
    return list(db.session.scalars(select(User).where(User.organisation_id == main.organisation_id,
                                                      User.removed_at.is_(None)).order_by(User.id)))


def get_operator(actor: Actor, user_id: int) -> User:
    """One of the main operator's own enterprise's other operators; another enterprise's is a 404."""
    main = require_main_operator(actor)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != main.organisation_id or user.removed_at is not None:
        raise NotFound("未找到该经办人", code="operator_not_found")
    if user.id == main.id:
        raise RuleViolation("主操作员不能修改自己的账号状态或权限", code="own_account")
    return user


def _rights(procedures: list[str] | None) -> list[str] | None:
    return sorted(set(procedures)) if procedures else None


def add_operator(actor: Actor, username: str, display_name: str, phone: str, password: str,
                 procedures: list[str] | None, source_ip: str | None = None) -> User:
    """A new operator of the main operator's enterprise, with the enterprise role and the given rights
    (None or empty: every procedure the enterprise may start). The password the main operator typed is his to
    know: temporary, changed at the operator's first sign-in (as an admin's new account's)."""
    main = require_main_operator(actor)
    phone = normalise_identifier(phone)  # full-width digits (a Chinese IME's): the SMS gateway reads ASCII only
    if not is_valid_phone(phone):
        raise InvalidForm({"phone": "请填写 11 位手机号"})
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise RuleViolation("该账号名已被使用", code="username_taken")
    user = create_user(username, display_name, password, main.organisation_id, main.region_code,
                       [Role.ENTERPRISE.value], phone=phone)
    user.allowed_procedures, user.password_must_change = _rights(procedures), True
    db.session.flush()
    record_change(actor, "operator_added", user, source_ip=source_ip, username=username, phone=phone,
                  procedures=user.allowed_procedures)
    return user


def set_rights(actor: Actor, user_id: int, procedures: list[str] | None, source_ip: str | None = None) -> User:
    user = get_operator(actor, user_id)
    before, user.allowed_procedures = user.allowed_procedures, _rights(procedures)
    db.session.flush()
    released = release_tasks_held_by(actor, user)  # those of procedures no longer his go back to his colleagues
    record_change(actor, "operator_rights", user, source_ip=source_ip, before=before, after=user.allowed_procedures,
                  **({"released_tasks": released} if released else {}))
    return user


def suspend_operator(actor: Actor, user_id: int, source_ip: str | None = None) -> User:
    """Suspended: no sign-in, his sessions end, his API tokens are revoked."""
    user = get_operator(actor, user_id)
    user.active = False
    revoke_all_tokens(user, actor)
    db.session.flush()
    end_sessions(user)
    released = release_tasks_held_by(actor, user)  # back to the enterprise's other operators
    record_change(actor, "operator_suspended", user, source_ip=source_ip,
                  **({"released_tasks": released} if released else {}))
    return user


def resume_operator(actor: Actor, user_id: int, source_ip: str | None = None) -> User:
    user = get_operator(actor, user_id)
    user.active = True
    db.session.flush()
    record_change(actor, "operator_resumed", user, source_ip=source_ip)
    return user


def remove_operator(actor: Actor, user_id: int, source_ip: str | None = None) -> User:
    """Removed for good: never active again; the account stays for the history that names it."""
    user = get_operator(actor, user_id)
    user.active, user.removed_at = False, utcnow()
    revoke_all_tokens(user, actor)
    db.session.flush()
    end_sessions(user)
    released = release_tasks_held_by(actor, user)  # back to the enterprise's other operators
    record_change(actor, "operator_removed", user, source_ip=source_ip,
                  **({"released_tasks": released} if released else {}))
    return user
