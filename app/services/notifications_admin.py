"""What an admin sees of the notifications' SMS and e-mail that did not go out (given up after the retry schedule
of services/notifications_retry.py, or still being retried) and their re-send, audited. Two kinds of delivery:
a notification sent through the officials' channel (GJY_NOTIFY_CHANNEL: escalations, reminders; the
notification's own delivery columns) and an applicant's notice by SMS or e-mail (a row of
notification_deliveries). An admin reaches the deliveries to the users of his region (the province: all), as he
reaches their accounts and tokens; phones and addresses are shown masked. The notification the user reads in the
app is neither shown changed nor touched: only its channel failed."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, literal, select, union_all, update

from app.db import rowcount, utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.integrations.mail import mask_address
from app.log_masking import mask_text
from app.models import Actor, Notification, NotificationDelivery, User
from app.policy import region_covers, region_scope, require_admin
from app.services import audit
from app.services.notifications import FAILED, PENDING, SENDING

OFFICIAL, APPLICANT = "notification", "delivery"  # the officials' channel | an applicant's SMS or e-mail
SOURCES = (OFFICIAL, APPLICANT)
RETRYING = "retrying"
VIEWS = (FAILED, RETRYING)  # given up | failed at least once and waiting for the next attempt
PAGE_SIZE = 50
log = logging.getLogger("app.security")  # who re-sent what: the admin actions' log


@dataclass(frozen=True)
class UndeliveredMessage:
    """A delivery as the admin reads it."""

    source: str
    id: int
    notification: Notification  # its title in the reader's language (notifications.notice_text)
    username: str
    display_name: str
    region_code: str
    channel: str  # sms | email | console | memory
    address: str  # masked; "" where the channel has none (the console)
    status: str
    attempts: int
    at: datetime | None  # failed: when it was given up; retrying: the next attempt
    last_error: str | None


def _view_filters(view: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    n, d = Notification, NotificationDelivery
    if view == RETRYING:
        return (n.delivery_status.in_((PENDING, SENDING)) & (n.delivery_attempts > 0),
                d.status.in_((PENDING, SENDING)) & (d.attempts > 0))
    return n.delivery_status == FAILED, d.status == FAILED


def _query(admin: Actor, view: str) -> Select[Any]:
    """Both kinds as one list: (source, id, created_at), for the users of the admin's region."""
    official, applicant = _view_filters(view)
    ours = region_scope(User.region_code, admin.region_code)
    officials = (select(literal(OFFICIAL).label("source"), Notification.id.label("id"),
                        Notification.created_at.label("created_at"))
                 .join(User, User.id == Notification.user_id).where(official, ours))
    applicants = (select(literal(APPLICANT).label("source"), NotificationDelivery.id.label("id"),
                         Notification.created_at.label("created_at"))
                  .join(Notification, Notification.id == NotificationDelivery.notification_id)
                  .join(User, User.id == Notification.user_id).where(applicant, ours))
    both = union_all(officials, applicants).subquery()
    return select(both.c.source, both.c.id).order_by(both.c.created_at.desc(), both.c.source, both.c.id.desc())


def count_undelivered(admin: Actor) -> int:
    """How many deliveries to the users of the admin's region were given up (the header's count)."""
    require_admin(admin)
    return db.session.scalar(select(func.count()).select_from(_query(admin, FAILED).subquery())) or 0


def list_undelivered(admin: Actor, view: str = FAILED, page: int = 1,
                     per_page: int = PAGE_SIZE) -> tuple[list[UndeliveredMessage], int]:
    """The deliveries of `view` (failed: given up; retrying), newest notification first, and how many there are."""
    require_admin(admin)
    query = _query(admin, view if view in VIEWS else FAILED)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return _shown([(row.source, row.id) for row in rows]), total


def _shown(keys: list[tuple[str, int]]) -> list[UndeliveredMessage]:
    official_ids = [i for source, i in keys if source == OFFICIAL]
    fresh = {"populate_existing": True}  # as the database holds them now (a re-send updated them in bulk)
    deliveries = {d.id: d for d in db.session.scalars(select(NotificationDelivery).where(
        NotificationDelivery.id.in_([i for source, i in keys if source == APPLICANT])).execution_options(**fresh))}
    notifications = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(
        [*official_ids, *(d.notification_id for d in deliveries.values())])).execution_options(**fresh))}
    users = {u.id: u for u in db.session.execute(select(
        User.id, User.username, User.display_name, User.region_code, User.phone).where(
        User.id.in_({n.user_id for n in notifications.values()})))}
    shown = []
    for source, key in keys:
        if source == OFFICIAL:
            notification = notifications[key]
            user = users[notification.user_id]
            channel, address = _official_channel(user)
            shown.append(UndeliveredMessage(
                source, key, notification, user.username, user.display_name, user.region_code, channel, address,
                notification.delivery_status, notification.delivery_attempts, notification.next_attempt_at,
                notification.delivery_error or (notification.payload or {}).get("last_error")))
        else:
            delivery = deliveries[key]
            notification = notifications[delivery.notification_id]
            user = users[notification.user_id]
            shown.append(UndeliveredMessage(
                source, key, notification, user.username, user.display_name, user.region_code, delivery.channel,
                delivery.address, delivery.status, delivery.attempts, delivery.next_attempt_at, delivery.last_error))
    return shown


def _official_channel(user: Any) -> tuple[str, str]:
    """The officials' channel as configured (a re-send goes through it) and the user's address on it, masked."""
    channel = str(current_app.config.get("NOTIFY_CHANNEL") or "console")
    if channel == "sms":
        return channel, mask_text(user.phone) if user.phone else ""
    if channel == "email":
        return channel, mask_address(f"{user.username}@{current_app.config.get('NOTIFY_EMAIL_DOMAIN', '')}")
    return channel, ""


def _find(admin: Actor, source: str, delivery_id: int) -> tuple[Notification, str]:
    """The notification of a delivery to a user of the admin's region, and the delivery's channel; else 404."""
    if source == OFFICIAL:
        notification = db.session.get(Notification, delivery_id)
        channel = str(current_app.config.get("NOTIFY_CHANNEL") or "console")
    else:
        delivery = db.session.get(NotificationDelivery, delivery_id) if source == APPLICANT else None
        notification = db.session.get(Notification, delivery.notification_id) if delivery is not None else None
        channel = delivery.channel if delivery is not None else ""
    user = db.session.get(User, notification.user_id) if notification is not None else None
    if notification is None or user is None or not region_covers(admin.region_code, user.region_code):
        raise NotFound("未找到该通知的发送记录", code="delivery_not_found")
    return notification, channel


def resend_undelivered(admin: Actor, source: str, delivery_id: int) -> UndeliveredMessage:
    """A delivery given up goes back to the queue with a fresh retry budget, sent by the next worker round
    (refused with a 409 in any other state); returns it as it is now. The in-app notification is not touched:
    it was delivered."""
    require_admin(admin)
    notification, channel = _find(admin, source, delivery_id)
    if source == OFFICIAL:
        statement = update(Notification).where(Notification.id == delivery_id, Notification.delivery_status == FAILED
                                               ).values(delivery_status=PENDING, delivery_attempts=0,
                                                        next_attempt_at=None, delivered_at=None)
    else:
        statement = update(NotificationDelivery).where(
            NotificationDelivery.id == delivery_id, NotificationDelivery.status == FAILED).values(
            status=PENDING, attempts=0, next_attempt_at=utcnow())
    if rowcount(db.session.execute(statement.execution_options(synchronize_session=False))) != 1:
        raise Conflict("只有发送失败的通知可以重新发送", code="delivery_not_failed")
    log.info("%s %s (%s, %s) re-sent by user %s", source, delivery_id, notification.kind, channel, admin.id)
    audit.record(admin, "notification.delivery_resent", "notification_delivery" if source == APPLICANT
                 else "notification", delivery_id, kind=notification.kind, channel=channel,
                 user_id=notification.user_id, notification_id=notification.id)
    return _shown([(source, delivery_id)])[0]
