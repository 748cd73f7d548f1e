"""Regions, organisations (enterprises and authorities), users, roles and API tokens."""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.crypto import Encrypted
from app.db import Base, UTCDateTime, utcnow

PROVINCE_CODE = "450000"


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Role(enum.StrEnum):
    """Roles a user may hold; lanes in bpmn/lanes.json name these."""

    ENTERPRISE = "enterprise"            # 企业经办人
    INDIVIDUAL = "individual"            # 个人
    COUNTY_REVIEWER = "county_reviewer"  # 县级住建部门审核人员
    CITY_REVIEWER = "city_reviewer"      # 设区市住建局审核人员
    PROVINCE_REVIEWER = "province_reviewer"  # 自治区住建厅建筑市场监管处
    LEAD = "lead"                        # 科室负责人: assigns and reassigns in its region
    ANALYST = "analyst"                  # 业务分析
    ADMIN = "admin"                      # 系统管理员
    SUPERVISOR = "supervisor"            # 监管/领导
    AUDITOR = "auditor"                  # 安全审计员: reads the audit log, nothing else


ROLE_TITLES: dict[str, str] = {
    Role.ENTERPRISE: "企业经办人",
    Role.INDIVIDUAL: "个人",
    Role.COUNTY_REVIEWER: "县级审核人员",
    Role.CITY_REVIEWER: "市级审核人员",
    Role.PROVINCE_REVIEWER: "自治区审核人员",
    Role.LEAD: "科室负责人",
    Role.ANALYST: "业务分析员",
    Role.ADMIN: "系统管理员",
    Role.SUPERVISOR: "监管人员",
    Role.AUDITOR: "安全审计员",
}


class OrganisationKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    AUTHORITY = "authority"
    PLATFORM = "platform"  # the operator of the system itself (analysts, admins)
    # An individual's own account holder: one per person, so what he files is his alone; his employer
    # (who may be the very party he applies against) never shares his organisation.
    INDIVIDUAL = "individual"
    # 建设单位 (the project's owner): picks its in-progress projects by construction-permit number and submits
    # them (project_registration); its users hold the `enterprise` role, as the applicant side.
    CONSTRUCTION_UNIT = "construction_unit"


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GB/T 2260
    name: Mapped[str] = mapped_column(String(50))
    level: Mapped[str] = mapped_column(String(10))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))


class Organisation(Base):
    """An enterprise (企业, with its credit code) or an authority (住建部门) or the platform."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    enterprise_type: Mapped[str | None] = mapped_column(String(30))
    in_region: Mapped[bool] = mapped_column(Boolean, default=True)
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    region: Mapped[Region] = relationship(lazy="select")


class Actor(Protocol):
    """Who acts: what the services and the policy need to know of a signed-in user (a `User` is one; an API
    request's caller is a `SignedIn`, read without loading the user as an ORM object)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def organisation_id(self) -> int: ...
    @property
    def organisation_kind(self) -> str: ...
    @property
    def region_code(self) -> str: ...
    @property
    def person_id(self) -> int | None: ...
    @property
    def roles(self) -> frozenset[str]: ...
    @property
    def allowed_procedures(self) -> Sequence[str] | None: ...  # an enterprise operator's rights (User's column)

    def has_role(self, *roles: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class SignedIn:
    """An Actor read as plain values (services.identity.accounts.user_for_token)."""

    id: int
    username: str
    display_name: str
    organisation_id: int
    organisation_kind: str
    region_code: str
    person_id: int | None
    roles: frozenset[str]
    allowed_procedures: tuple[str, ...] | None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    phone: Mapped[str | None] = mapped_column(Encrypted(20))  # encrypted at rest (app/crypto.py)
    # Where the applicant's notices (补正, decisions, 办结) are e-mailed; none: in-app and SMS only.
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Seeded by `flask demo seed` with the published password: such a user exists for sign-in and tokens
    # only while the app runs in demo mode (services.identity.accounts refuses it otherwise).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The enterprise's main operator (主操作员), authorised by its legal representative: manages the others.
    main_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # An operator removed by his main operator: never active again, kept for the history that names him.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A temporary password (an admin's new account or reset): the user must choose his own before anything else.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # An enterprise operator's rights: the procedure keys he may start; None: every one his roles allow.
    allowed_procedures: Mapped[list[str] | None] = mapped_column(JSON)
    # Held in the page session at sign-in; signing out or a new password bumps it, which ends every
    # session (cookie) issued before.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", back_populates="user"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    @property
    def organisation_kind(self) -> str:
        return self.organisation.kind

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:
        return self.active


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30), index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Space-separated: "read" (GET operations) and/or "write" (every change); see app/api/scopes.py.
    scopes: Mapped[str] = mapped_column(String(50), default="read write", server_default="read write")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Written at most once a minute per token (services.identity.tokens), not on every request.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class LoginEvent(Base):
    """A sign-in attempt (success, failure, refused while locked) or a sign-out: the audit trail, and the
    failures per user name that throttle sign-ins (in the database: shared by every worker process)."""

    __tablename__ = "login_events"
    __table_args__ = (Index("ix_login_events_username_created_at", "username", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))  # as typed (also unknown names), cut to 64 characters
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # password_ok (first factor passed, code sent) | success | failure | locked | code_failure | logout
    outcome: Mapped[str] = mapped_column(String(20))
    source_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
