"""事中事后抽查: a seeded, stratified draw of enterprises' self-entered items (its server-made seed, parameters,
strata and population kept, so that it can be recomputed and checked), one item per drawn enterprise with the
case that inspects it, and the 通报批评 notices published on findings of false data."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class SpotCheckDraw(Base):
    __tablename__ = "spot_check_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))  # whose enterprises were drawn
    seed: Mapped[str] = mapped_column(String(64))
    sample_size: Mapped[int] = mapped_column(Integer)
    exclude_months: Mapped[int] = mapped_column(Integer)
    strata: Mapped[dict[str, Any]] = mapped_column(JSON)      # stratum -> {population, drawn}
    excluded: Mapped[list[Any]] = mapped_column(JSON)         # enterprise ids checked in the last N months
    # What it was drawn from, [[enterprise id, stratum, [item refs]], ...]: with the seed and the size it recomputes
    # the draw (公开); null for draws made before it was kept.
    population: Mapped[list[Any] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_by: Mapped[str] = mapped_column(String(100))


class SpotCheckItem(Base):
    __tablename__ = "spot_check_items"
    __table_args__ = (Index("ix_spot_check_items_enterprise_drawn", "enterprise_id", "drawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spot_check_draws.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    stratum: Mapped[str] = mapped_column(String(80))
    item_ref: Mapped[str] = mapped_column(String(60))   # "performance:12", "entry:5"
    item_title: Mapped[str] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    finding: Mapped[str | None] = mapped_column(String(20))  # consistent, dismissed, false_data
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PublicNotice(Base):
    """A published notice: 通报批评 of an enterprise that entered false data."""

    __tablename__ = "public_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # criticism
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
