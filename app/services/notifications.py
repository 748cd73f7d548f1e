"""Notifications: in-app (the bell), deduplicated, and delivered by a channel after the commit."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import rowcount, utcnow
from app.extensions import db
from app.integrations.notify import Channel, OutgoingMessage
from app.models import Notification, Role, User, UserRole

MAX_DELIVERY_ATTEMPTS = 5


@dataclass(frozen=True)
class Note:
    kind: str
    title: str
    body: str = ""
    case_id: int | None = None
    task_id: str | None = None
    key: str = ""  # what makes it unique per user, e.g. the task id
    payload: dict[str, Any] | None = None


def notify(users: Iterable[User], note: Note) -> list[Notification]:
    """One notification per user and (kind, key); repeating a notification does nothing."""
    created = []
    for user in {u.id: u for u in users}.values():
        dedupe = f"{note.kind}:{note.key}:{user.id}"[:160]
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe)) is not None:
            continue
        row = Notification(user_id=user.id, kind=note.kind, title=note.title, body=note.body,
                           case_id=note.case_id, task_id=note.task_id, dedupe_key=dedupe,
                           payload=note.payload or {})
        try:
            with db.session.begin_nested():  # a parallel worker wrote the same one: keep theirs
                db.session.add(row)
        except IntegrityError:
            continue
        created.append(row)
    return created


def users_with_role(role: str, region_code: str | None = None) -> list[User]:
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == role, User.active.is_(True)))
    if region_code is not None:
        query = query.where(User.region_code == region_code)
    return list(db.session.scalars(query.order_by(User.id)).unique())


def alert_calendar_missing(years: Iterable[int]) -> None:
    """Tell the admins that deadlines in these years are provisional until the year is entered."""
    admins = users_with_role(Role.ADMIN)
    for year in sorted(set(years)):
        notify(admins, Note("calendar_year_missing", f"请录入 {year} 年节假日安排",
                            f"{year} 年的法定节假日和调休安排尚未录入，涉及该年的期限按周末计算并标记为暂定；"
                            f"录入并确认后将自动重算。", key=str(year), payload={"year": year}))


def list_notifications(actor: User, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(actor: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None))) or 0


def mark_read(actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all when ids is None); returns how many changed."""
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return rowcount(result)


def pending_delivery_ids(limit: int = 100) -> list[int]:
    return list(db.session.scalars(select(Notification.id).where(
        Notification.delivery_status == "pending").order_by(Notification.id).limit(limit)))


def deliver(notification_id: int, channel: Channel) -> bool:
    """Send one notification through the channel (called after the commit that created it)."""
    query = select(Notification).where(Notification.id == notification_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = db.session.scalar(query)
    if row is None or row.delivery_status != "pending":
        return False
    user = db.session.get(User, row.user_id)
    assert user is not None
    row.delivery_attempts += 1
    try:
        channel.send(OutgoingMessage(recipient=user.username, phone=user.phone, title=row.title,
                                     body=row.body, kind=row.kind))
    except Exception as exc:  # a gateway failure: try again later, give up after a few attempts
        if row.delivery_attempts >= MAX_DELIVERY_ATTEMPTS:
            row.delivery_status = "failed"
        row.payload = {**(row.payload or {}), "last_error": str(exc)[:300]}
        db.session.flush()
        return False
    row.delivery_status, row.delivered_at = "sent", utcnow()
    db.session.flush()
    return True
