"""Delivery of applicants' notices by SMS and e-mail (`notification_deliveries`), after the commit.

As for the bell's channel (services/notifications.py): a worker claims a delivery (pending -> sending, one
conditional UPDATE), commits, sends outside any transaction, then records the outcome: sent, or pending
again after a pause, or failed (given up), on the schedule every delivery shares (services/notifications_retry.py:
from a minute, doubling, at most an hour apart, given up after about six hours). A claim left by a worker that
died while sending is taken over after STALE_CLAIM. Each channel of a notification has its
own row: a failing SMS gateway neither delays the e-mail nor touches the in-app notification.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.db import rowcount, utcnow
from app.extensions import db
from app.models import Notification, NotificationDelivery, User
from app.services.notifications_retry import retry_at

STALE_CLAIM = timedelta(minutes=10)
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True)
class ChannelClaim:
    delivery_id: int
    channel: str
    address: str
    subject: str
    text: str
    attempt: int


def due_deliveries(limit: int = 100, now: datetime | None = None) -> list[int]:
    """Deliveries whose moment has come, and claims abandoned by a worker that died while sending."""
    now = now or utcnow()
    return list(db.session.scalars(select(NotificationDelivery.id).where(or_(
        (NotificationDelivery.status == PENDING) & (NotificationDelivery.next_attempt_at <= now),
        (NotificationDelivery.status == SENDING) & (NotificationDelivery.next_attempt_at < now - STALE_CLAIM)))
        .order_by(NotificationDelivery.id).limit(limit)))


def claim_channel_delivery(delivery_id: int, now: datetime | None = None) -> ChannelClaim | None:
    """Take a delivery for sending (the caller commits before sending); None when another worker has it.
    While `sending`, next_attempt_at holds the moment of the claim. The address is the user's own now (the
    row keeps it masked); a user without one any more fails the delivery at once."""
    now = now or utcnow()
    row = db.session.execute(select(NotificationDelivery).where(NotificationDelivery.id == delivery_id)
                             .execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None or row.status not in (PENDING, SENDING):
        return None
    if row.status == SENDING and row.next_attempt_at >= now - STALE_CLAIM:
        return None
    claimed = db.session.execute(
        update(NotificationDelivery).where(NotificationDelivery.id == delivery_id,
                                           NotificationDelivery.status == row.status,
                                           NotificationDelivery.attempts == row.attempts)
        .values(status=SENDING, attempts=row.attempts + 1, next_attempt_at=now)
        .execution_options(synchronize_session=False))
    if rowcount(claimed) != 1:
        return None
    user = db.session.execute(select(User.phone, User.email, User.active).join(
        Notification, Notification.user_id == User.id).where(Notification.id == row.notification_id)).one_or_none()
    address = (user.phone if row.channel == "sms" else user.email) if user is not None and user.active else None
    if not address:  # the user has no phone / address any more, or left: nothing to send to
        db.session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id)
                           .values(status=FAILED, last_error="no phone or address to send to")
                           .execution_options(synchronize_session=False))
        return None
    return ChannelClaim(row.id, row.channel, address, row.subject, row.text, row.attempts + 1)


def finish_channel_delivery(claim: ChannelClaim, error: str | None = None,
                            now: datetime | None = None) -> str | None:
    """Sent; or pending again after a pause, or failed (given up: next_attempt_at is then the moment it was).
    Returns the status written (None: another worker took the claim over)."""
    now = now or utcnow()
    if error is None:
        values: dict[str, Any] = {"status": SENT, "sent_at": now, "last_error": None}
    else:
        later = retry_at(claim.attempt, now)
        values = {"status": PENDING if later else FAILED, "last_error": error[:300], "next_attempt_at": later or now}
    done = db.session.execute(update(NotificationDelivery).where(
        NotificationDelivery.id == claim.delivery_id, NotificationDelivery.status == SENDING,
        NotificationDelivery.attempts == claim.attempt).values(**values)
        .execution_options(synchronize_session=False))
    return str(values["status"]) if rowcount(done) == 1 else None
