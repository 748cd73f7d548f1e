"""Performance records (业绩): in-region or imported, frozen once used in a bid, with change history."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class RecordSource(enum.StrEnum):
    IN_REGION = "in_region"   # 区内: entered by the enterprise
    IMPORTED = "imported"     # 区外: imported from the national platform, never edited by hand
    # 迁入: migrated from the old integrity platform; usable for bids once the enterprise completed it and
    # confirmed its 属地 (fields["confirmed_case"], procedure migrated_data_confirmation)
    MIGRATED = "migrated"


class PerformanceRecord(Base):
    __tablename__ = "performance_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    used_in_bid: Mapped[bool] = mapped_column(Boolean, default=False)  # frozen when True
    # The trading platform's award lock (中标锁定) reference: frozen too until the platform releases it.
    award_lock: Mapped[str | None] = mapped_column(String(120))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def frozen(self) -> bool:
        """Changed only through 投标业绩修改: used in a bid, or held by the trading platform's award lock."""
        return bool(self.used_in_bid or self.award_lock)

    @property
    def usable_for_bids(self) -> bool:
        """A migrated record only after its confirmation; every other record as it is."""
        return self.source != RecordSource.MIGRATED or bool((self.fields or {}).get("confirmed_case"))


class PerformanceRecordChange(Base):
    """One applied change of a record: old and new values, by which case."""

    __tablename__ = "performance_record_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("performance_records.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    old_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_values: Mapped[dict[str, Any]] = mapped_column(JSON)
