"""Authority and platform accounts, managed by an admin: create, change roles / region / phone, suspend,
resume, reset the password. An admin reaches the accounts of his region only (the province: all), and
every change is recorded (changes.record_change) with the values before and after."""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from app.db import LIKE_ESCAPE, contains_pattern
from app.errors import InvalidForm, Message, NotFound, RuleViolation
from app.extensions import db
from app.models import PROVINCE_CODE, Actor, Organisation, OrganisationKind, Region, RegionLevel, Role, User
from app.policy import region_covers, region_scope, require_admin
from app.services import audit
from app.services.identity import passwords
from app.services.identity.accounts import (
    MAX_DISPLAY_NAME,
    account_name_problems,
    create_user,
    end_sessions,
    hash_password,
)
from app.services.identity.changes import record_change
from app.services.identity.tokens import revoke_all_tokens
from app.services.records.identifiers import is_valid_phone, normalise_identifier
from app.services.tasks.work import release_tasks_held_by

# The roles an admin hands out, and the region level each needs (None: any level).
AUTHORITY_ROLES: dict[str, str | None] = {
    Role.COUNTY_REVIEWER: RegionLevel.COUNTY, Role.CITY_REVIEWER: RegionLevel.CITY,
    Role.PROVINCE_REVIEWER: RegionLevel.PROVINCE, Role.LEAD: None, Role.SUPERVISOR: None,
    Role.ANALYST: RegionLevel.PROVINCE, Role.ADMIN: None, Role.AUDITOR: RegionLevel.PROVINCE,
}
PLATFORM_ROLES = frozenset({Role.ANALYST, Role.ADMIN, Role.AUDITOR})
MANAGED_KINDS = (OrganisationKind.AUTHORITY, OrganisationKind.PLATFORM)


@dataclass(frozen=True)
class AccountForm:
    display_name: str
    phone: str
    region_code: str
    roles: list[str]

    def __post_init__(self) -> None:  # full-width digits (a Chinese IME's) stored as typed reached no phone
        object.__setattr__(self, "phone", normalise_identifier(self.phone))


def temporary_password() -> str:
    """A random password that meets the policy (shown once to the admin, who hands it over)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{body[:6]}-{secrets.choice(string.ascii_uppercase)}{secrets.randbelow(10)}{body[6:]}"


def accounts_query(admin: Actor, search: str = "") -> Select[tuple[User]]:
    require_admin(admin)
    query = (select(User).join(Organisation, Organisation.id == User.organisation_id)
             .where(Organisation.kind.in_(MANAGED_KINDS), region_scope(User.region_code, admin.region_code))
             .order_by(User.region_code, User.username))
    if search.strip():
        pattern = contains_pattern(search.strip())
        query = query.where(or_(User.username.like(pattern, escape=LIKE_ESCAPE),
                                User.display_name.like(pattern, escape=LIKE_ESCAPE)))
    return query


def list_accounts(admin: Actor, search: str = "", page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    query = accounts_query(admin, search)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))), total


def get_account(admin: Actor, user_id: int) -> User:
    """An authority or platform account in the admin's region; anything else is a 404."""
    require_admin(admin)
    user = db.session.get(User, user_id)
    if (user is None or user.organisation.kind not in MANAGED_KINDS
            or not region_covers(admin.region_code, user.region_code)):
        raise NotFound("未找到该账号", code="account_not_found")
    return user


def _role_errors(region: Region | None, roles: list[str]) -> str | None:
    if not roles or any(r not in AUTHORITY_ROLES for r in roles):
        return "请至少选择一个有效角色"
    if region is None:
        return None
    if Role.AUDITOR in roles and len(roles) > 1:  # 三员分立: the auditor reads the log and holds nothing else
        return "安全审计员不能与其他角色同时授予（三员分立）"
    if PLATFORM_ROLES & set(roles) and set(roles) - PLATFORM_ROLES:
        return "业务分析员、系统管理员不能与审核、监管角色同时授予"
    if any(AUTHORITY_ROLES[r] not in (None, region.level) for r in roles):
        return "所选角色与行政区划级别不符"
    return None


def _protection_errors(admin: Actor, user: User | None, form: AccountForm, roles: list[str]) -> dict[str, str]:
    """An admin's own roles, and an auditor's phone and roles, are not the admin's to change (三员分立: else
    he could make himself an auditor, or take the auditor's account over and read the log)."""
    if user is None:
        return {}
    errors: dict[str, str] = {}
    if user.id == admin.id and roles != sorted(user.roles):
        errors["roles"] = "不能修改自己的角色"
    if is_auditor_account(user):
        if roles != sorted(user.roles):
            errors["roles"] = "管理员不能修改安全审计员账号的角色（三员分立）；不再担任的，请停用该账号"
        if form.phone != (user.phone or ""):
            errors["phone"] = "管理员不能修改安全审计员的手机号（三员分立）"
    return errors


def _checked(admin: Actor, form: AccountForm, user: User | None = None,
             found: dict[str, str] | None = None) -> tuple[Region, list[str]]:
    """The form's region and roles, or InvalidForm with a message per field; `user`: the account changed, `found`:
    the caller's own field errors (a new account's name), reported with these in one round."""
    errors: dict[str, str] = dict(found or {})
    region = db.session.get(Region, form.region_code)
    if region is None or not region_covers(admin.region_code, region.code):
        errors["region_code"] = "请选择您辖区内的行政区划"
    roles = sorted(set(form.roles))
    if problem := _role_errors(region, roles):
        errors["roles"] = problem
    name = form.display_name.strip()
    if not name:
        errors["display_name"] = "请填写姓名"
    elif len(name) > MAX_DISPLAY_NAME:  # the column's length: longer was a 500 on PostgreSQL
        errors["display_name"] = Message("姓名须为 1 至 {n} 个字符", n=MAX_DISPLAY_NAME)
    if not is_valid_phone(form.phone):
        errors["phone"] = "请填写 11 位手机号（用于接收登录验证码）"
    errors = {**_protection_errors(admin, user, form, roles), **errors}  # a wrong form first
    if errors:
        raise InvalidForm(errors)
    assert region is not None
    return region, roles


def is_auditor_account(user: User) -> bool:
    """A security auditor's account: its phone, roles and password are his own, not the admins'."""
    return Role.AUDITOR in user.roles


def _organisation_for(region: Region, roles: list[str]) -> Organisation:
    """The platform for analysts and admins; else the authority of the region (created for a county)."""
    if PLATFORM_ROLES & set(roles):
        kind, code = OrganisationKind.PLATFORM, PROVINCE_CODE
    else:
        kind, code = OrganisationKind.AUTHORITY, region.code
    org = db.session.scalar(select(Organisation).where(Organisation.kind == kind, Organisation.region_code == code)
                            .order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(kind=kind, region_code=code, name=f"{region.name}住房和城乡建设局")
        db.session.add(org)
        db.session.flush()
    return org


def create_account(admin: Actor, username: str, form: AccountForm, source_ip: str | None = None) -> tuple[User, str]:
    """A new account and its temporary password (returned once)."""
    require_admin(admin)
    taken = not username.strip() or db.session.scalar(select(User.id).where(User.username == username)) is not None
    # with the other fields' errors, not after them (create_user's own check of the name would be a second round)
    problem = "账号名为空或已被使用" if taken else account_name_problems(username.strip(), "-").get("username")
    region, roles = _checked(admin, form, found={"username": problem} if problem else None)
    password = temporary_password()
    org = _organisation_for(region, roles)
    user = create_user(username.strip(), form.display_name.strip(), password, org.id, region.code, roles,
                       phone=form.phone)
    user.password_must_change = True
    record_change(admin, "account_created", user, source_ip=source_ip, username=user.username,
                  region_code=region.code, roles=roles, phone=form.phone)
    return user, password


def change_account(admin: Actor, user_id: int, form: AccountForm, source_ip: str | None = None) -> User:
    user = get_account(admin, user_id)
    region, roles = _checked(admin, form, user)
    before = {"display_name": user.display_name, "region_code": user.region_code, "roles": sorted(user.roles),
              "phone": user.phone or ""}
    org = _organisation_for(region, roles)
    user.display_name, user.region_code, user.phone, user.organisation_id = (
        form.display_name.strip(), region.code, form.phone, org.id)
    kept = {r.role: r for r in user.role_rows}
    from app.models import UserRole

    user.role_rows = [kept.get(r) or UserRole(role=r) for r in roles]
    db.session.flush()
    db.session.expire(user, ["organisation"])
    after = {"display_name": user.display_name, "region_code": user.region_code, "roles": roles, "phone": form.phone}
    if after != before:
        end_sessions(user)  # new rights take effect at the next sign-in
        released = release_tasks_held_by(admin, user)  # those of the old region or roles go back to 待领取
        record_change(admin, "account_changed", user, source_ip=source_ip,
                      before={k: v for k, v in before.items() if after[k] != v},
                      after={k: v for k, v in after.items() if before[k] != v},
                      **({"released_tasks": released} if released else {}))
    return user


def set_active(admin: Actor, user_id: int, active: bool, source_ip: str | None = None) -> User:
    user = get_account(admin, user_id)
    if user.id == admin.id:
        raise RuleViolation("不能停用自己的账号", code="own_account")
    if user.active != active:
        user.active = active
        db.session.flush()
        released = revoked = 0
        if not active:  # his sessions end and his tokens with them: a resumed account gets new ones, not the old
            end_sessions(user)
            revoked = revoke_all_tokens(user, admin)
            released = release_tasks_held_by(admin, user)
        record_change(admin, "account_resumed" if active else "account_suspended", user, source_ip=source_ip,
                      **({"released_tasks": released} if released else {}),
                      **({"revoked_tokens": revoked} if revoked else {}))
    return user


def reset_password(admin: Actor, user_id: int, source_ip: str | None = None) -> tuple[User, str]:
    """A new temporary password (returned once); the user's sessions end and his API tokens are revoked. Not
    an auditor's: the admin would know the password of the account that reads the log (三员分立)."""
    user = get_account(admin, user_id)
    if is_auditor_account(user):
        raise RuleViolation("管理员不能重置安全审计员的密码（三员分立）；审计员本人在“修改密码”中修改，"
                            "忘记密码的，请停用该账号并新建审计员账号", code="auditor_account")
    password = temporary_password()
    user.password_hash, user.password_must_change = hash_password(password), True
    revoked = revoke_all_tokens(user, admin)  # a reset often means the account was misused: its tokens too
    db.session.flush()
    passwords.remember(user.id, user.password_hash)
    end_sessions(user)
    record_change(admin, "password_reset", user, source_ip=source_ip,
                  **({"revoked_tokens": revoked} if revoked else {}))
    return user, password


def revealed_phone(admin: Actor, user: User) -> str | None:
    """The account's phone in clear, for the admin who edits it (elsewhere it is masked): each reveal audited."""
    get_account(admin, user.id)
    audit.record(admin, "account.phone_revealed", "user", user.id, organisation_id=user.organisation_id)
    return user.phone


def managed_regions(admin: Actor) -> list[Region]:
    """Regions the admin may give an account, province first."""
    return list(db.session.scalars(select(Region).where(region_scope(Region.code, admin.region_code),
                                                        Region.code.like("45%")).order_by(Region.code)))
