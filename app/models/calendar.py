"""The working-day calendar: per-date exceptions to the Mon–Fri week and the years whose data is known."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class CalendarSource(enum.StrEnum):
    OFFICIAL = "official"  # seeded from the State Council notice via the chinesecalendar library
    ADMIN = "admin"        # entered by an administrator (a year the library lacks, a local closure)


class CalendarDay(Base):
    """A date that is not what the weekday suggests: a holiday, a make-up workday or a local closure.

    Dates without a row follow the week: Monday to Friday are working days.
    """

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(20), default=CalendarSource.OFFICIAL)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarYear(Base):
    """A year whose arrangement is known (seeded or confirmed by an admin); others are provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), default=CalendarSource.OFFICIAL)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
