"""入库承诺制: what an enterprise entered itself (enterprise_entries, one row per item, never overwritten: the latest
effective row of a kind is current) and the 入库承诺书 it signed with the submission (who, when, which text,
a hash of what was committed)."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class EntryStatus(enum.StrEnum):
    EFFECTIVE = "effective"            # on commitment: no review of originals
    PENDING_REVIEW = "pending_review"  # 良好行为, 纳税信息: an authority reviews the originals
    APPROVED = "approved"
    REJECTED = "rejected"


class EnterpriseEntry(Base):
    __tablename__ = "enterprise_entries"
    __table_args__ = (Index("ix_enterprise_entries_enterprise_category", "enterprise_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # basic, personnel, finance, performance, good_behaviour, tax; migrated_* for the old platform's data
    category: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))  # commitment, migrated, historical
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    review_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommitmentSignature(Base):
    """The 入库承诺书 signed with one submission."""

    __tablename__ = "commitment_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text_version: Mapped[str] = mapped_column(String(30))
    text_sha256: Mapped[str] = mapped_column(String(64))     # the commitment's wording as signed
    content_sha256: Mapped[str] = mapped_column(String(64))  # canonical JSON of what was committed
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
