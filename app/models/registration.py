"""Enterprise registration (legal representative's verification, the main operator's authorisation) and
the record of every change made to an account."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.crypto import Encrypted
from app.db import Base, UTCDateTime, utcnow


class VerificationMethod(enum.StrEnum):
    FACE = "face"  # 法定代表人实名刷脸认证
    BANK_TRANSFER = "bank_transfer"  # 对公账户打款认证


class RegistrationStatus(enum.StrEnum):
    AWAITING_AMOUNT = "awaiting_amount"  # the micro-payment was sent; the enterprise reports its amount
    VERIFIED = "verified"  # the legal representative is verified; he may authorise a main operator
    AUTHORISED = "authorised"  # a main operator is authorised and may register with the link he was sent
    REGISTERED = "registered"  # the main operator's account exists
    FAILED = "failed"  # verification refused (too many wrong amounts, the verifier said no)


class EnterpriseRegistration(Base):
    """One enterprise's way from verification to its main operator's account. The legal representative's
    ID number is kept masked only: it was needed for the verification, not afterwards."""

    __tablename__ = "enterprise_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The browser that started it continues it by this (hashed) key; so does nothing else.
    flow_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_type: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    legal_representative: Mapped[str] = mapped_column(String(50))
    legal_representative_id_masked: Mapped[str] = mapped_column(String(18))
    method: Mapped[str] = mapped_column(String(20))
    verifier_reference: Mapped[str | None] = mapped_column(String(64))
    wrong_amounts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(20))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    operator_name: Mapped[str | None] = mapped_column(String(50))
    operator_phone: Mapped[str | None] = mapped_column(Encrypted(20))  # encrypted at rest (app/crypto.py)
    invitation_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Main operators authorised on this verification (each texted a link; the newest link alone works).
    authorisations: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountChange(Base):
    """Who changed which account how (created, roles, region, suspended, password reset, operator rights,
    token issued or revoked, registration steps), with the values before and after. The audit log of
    issue 21 takes these over; until then this table is the record."""

    __tablename__ = "account_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
