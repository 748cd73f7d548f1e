"""诚信综合评价: each enterprise's integrity score as a ledger of additions and deductions (never an
overwritten number), and its good and bad behaviour records (良好行为 / 不良行为), each with its source."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

CENTI = Decimal("0.01")


class LedgerSource(enum.StrEnum):
    MIGRATED = "migrated"        # 诚信平台迁入的诚信综合评分
    EVALUATION = "evaluation"    # 诚信综合评价 (periodic evaluation items)
    BEHAVIOUR = "behaviour"      # a good or bad behaviour record's points
    SPOT_CHECK = "spot_check"    # 事中事后抽查: false data found
    CORRECTION = "correction"    # a counter-entry correcting an earlier one (entries are never changed)


LEDGER_SOURCE_TITLES = {
    LedgerSource.MIGRATED: "诚信平台迁入", LedgerSource.EVALUATION: "诚信综合评价",
    LedgerSource.BEHAVIOUR: "行为记录", LedgerSource.SPOT_CHECK: "事中事后抽查", LedgerSource.CORRECTION: "更正",
}


class BehaviourKind(enum.StrEnum):
    GOOD = "good"  # 良好行为
    BAD = "bad"    # 不良行为


BEHAVIOUR_KIND_TITLES = {BehaviourKind.GOOD: "良好行为", BehaviourKind.BAD: "不良行为"}


class IntegrityEntry(Base):
    """One addition (points > 0) or deduction (points < 0): the score at a date is the sum of the entries
    effective on or before it. Rows are only ever added."""

    __tablename__ = "integrity_entries"
    __table_args__ = (Index("ix_integrity_entries_enterprise_effective", "enterprise_id", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # Hundredths of a point, so that sums are exact on every backend.
    points_centi: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(30))
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    corrects_entry_id: Mapped[int | None] = mapped_column(ForeignKey("integrity_entries.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(100))  # who, as shown ("系统" for the data exchange)

    @property
    def points(self) -> Decimal:
        return (Decimal(self.points_centi) * CENTI).quantize(CENTI)


class BehaviourRecord(Base):
    """A good or bad behaviour of an enterprise, with where it came from (a case, the migration, ...)."""

    __tablename__ = "behaviour_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(30))
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    integrity_entry_id: Mapped[int | None] = mapped_column(ForeignKey("integrity_entries.id"))
    reported_national: Mapped[bool] = mapped_column(Boolean, default=False)  # 报送全国平台
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(100))
