"""The working-day calendar: per-date exceptions to the Mon–Fri week and the years whose data is known."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.identity import User


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


class CalendarChangeAction(enum.StrEnum):
    SET_DAY = "set_day"
    CLEAR_DAY = "clear_day"
    CONFIRM_YEAR = "confirm_year"
    SEED_OFFICIAL = "seed_official"  # the State Council's days written from the library


class CalendarChange(Base):
    """Every change made to the calendar by an administrator or the CLI, never updated nor deleted: a
    change moves deadlines, so who changed which day, from what, and how many deadlines moved is kept."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    day: Mapped[date | None] = mapped_column(Date, index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    workday: Mapped[bool | None] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(50), default="")
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the day's entry before; None: none
    recomputed: Mapped[int] = mapped_column(Integer, default=0)  # cases whose deadlines the change moved
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the command line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")
