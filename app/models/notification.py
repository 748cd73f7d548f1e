"""In-app notifications (the bell) and their delivery through an external channel (SMS, e-mail)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_delivery", "delivery_status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # stable code: task_warning, task_overdue, case_warning, case_overdue, calendar_year_missing, ...
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    # One notification per (user, key): a refresh that runs twice does not notify twice.
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # External channel: pending -> sending (claimed) -> sent | pending again | failed (given up), sent after the
    # commit by the delivery job and retried on services/notifications_retry's schedule; `per_channel`: the
    # notification's SMS and e-mail are rows of notification_deliveries instead.
    delivery_status: Mapped[str] = mapped_column(String(20), default="pending")
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # pending: not before this moment (None: at once); failed: when it was given up
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery_error: Mapped[str | None] = mapped_column(String(300))  # the channel's last failure


class NotificationDelivery(Base):
    """One notification sent through one more channel (an applicant's notice by SMS and by e-mail), after the
    commit that wrote it; each channel is retried on its own, the in-app notification is never touched."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
        UniqueConstraint("notification_id", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))  # sms | email
    # The phone or address masked, for the record; the delivery sends to the user's own (users.phone/.email).
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    # pending -> sending (claimed by a worker) -> sent | pending again (retried later) | failed (given up)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # pending: not before this moment; sending: the claim's moment; failed: when it was given up
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
