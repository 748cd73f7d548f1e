"""A case's deadline clock: when it started, its limits, pauses (补正, excluded time) and flags."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.case import Case


class CaseClock(Base):
    """One row per case whose procedure sets a limit; the case row carries due_at/warn_at/state."""

    __tablename__ = "case_clocks"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    # The moment of receipt the limits count from (counting starts the next day, §82).
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    committed_limit: Mapped[str | None] = mapped_column(String(40))
    statutory_limit: Mapped[str | None] = mapped_column(String(40))
    # Set while the clock stands still; reason: supplement | excluded
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pause_reason: Mapped[str | None] = mapped_column(String(20))
    # Time the clock stood still so far (补正 resumed, excluded steps), per kind of limit. Working days are
    # counted on the calendar as it is now, from the pauses' days (excluded_spans: [paused, resumed] local
    # ISO dates, the working days in (paused, resumed]), so that a day declared a holiday later inside a
    # pause is not excluded twice; excluded_workdays holds only those of pauses ended before the spans
    # were kept (migration 3c9e1f7a2b64), which cannot be counted again.
    excluded_spans: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    excluded_workdays: Mapped[int] = mapped_column(Integer, default=0)
    excluded_days: Mapped[int] = mapped_column(Integer, default=0)
    excluded_seconds: Mapped[int] = mapped_column(Integer, default=0)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    statutory_overdue: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[Case] = relationship(back_populates="clock")
