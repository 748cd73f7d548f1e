"""Sign-in's second factor and its limits: SMS codes, atomic throttle counters, password history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class SignInCode(Base):
    """A one-time code sent by SMS after the password was accepted. Only its keyed hash is stored
    (HMAC with the app's secret key: six digits are too few for a plain hash to hide anything)."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source_ip: Mapped[str | None] = mapped_column(String(45))


class ThrottleCounter(Base):
    """Attempts per key (`signin:<user name>`, `sms:<phone digest>`) in a window, counted by one upsert
    (INSERT … ON CONFLICT DO UPDATE … RETURNING): concurrent attempts each get their own number."""

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordHistory(Base):
    """The hashes of a user's recent passwords (the current one included): none of the last five again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
