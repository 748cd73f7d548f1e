"""Notifications: in-app (the bell), deduplicated, and delivered by a channel after the commit.

Delivery with several workers: a worker first claims a notification (pending -> sending, one conditional
UPDATE whose row count says who won) and commits the claim, then sends, then records the outcome: sent, or
pending again after a pause, or failed (given up), on the schedule every delivery shares
(services/notifications_retry.py). A second worker finds nothing to claim, so nothing is sent twice; a claim
left behind by a worker that died while sending is taken over after STALE_CLAIM (the message may then go out
twice: at least once, never lost). The outcome is recorded in the delivery's own columns: the notification as
the user reads it is never changed by its channel.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import lazyload

from app.db import UpsertStatement, rowcount, table_of, utcnow
from app.errors import Listed, Message
from app.extensions import db
from app.integrations.notify import Channel, OutgoingMessage
from app.models import PROVINCE_CODE, Actor, CalendarYear, Notification, Role, User, UserRole
from app.policy import rights_cover
from app.services.notifications_retry import retry_at

STALE_CLAIM = timedelta(minutes=10)  # far beyond a channel's own timeout (10 s)
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True)
class Note:
    kind: str
    title: str
    body: str = ""
    case_id: int | None = None
    task_id: str | None = None
    key: str = ""  # what makes it unique per user, e.g. the task id
    payload: dict[str, Any] | None = None


_NOTIFICATIONS = table_of(Notification)
# One statement for every recipient: a notification already written (this key for this user, by an earlier
# run or a parallel worker) is skipped by the unique dedupe key, and the rows written come back.
_INSERT_NEW = UpsertStatement(lambda insert: insert(_NOTIFICATIONS).on_conflict_do_nothing(
    index_elements=[_NOTIFICATIONS.c.dedupe_key]).returning(_NOTIFICATIONS.c.id, _NOTIFICATIONS.c.user_id))


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user as read to be notified: the id; the organisation, phone (decrypted) and e-mail where the caller
    read them (the applicant's notices, whose SMS and e-mail go beside the notification)."""

    id: int
    organisation_id: int | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Written:
    """A notification this call wrote (not one written before under the same key)."""
    id: int
    user_id: int


def _texts(note: Note) -> dict[str, Any]:
    """A title or body given as a Message keeps its template and values (`title_i18n`, `body_i18n`): the page
    shows it in the reader's language (notice_text); SMS and e-mail send the Chinese text stored beside it."""
    return {f"{part}_i18n": [text.template, {k: _stored(v) for k, v in text.values.items()}]
            for part, text in (("title", note.title), ("body", note.body)) if isinstance(text, Message)}


def _stored(value: object) -> Any:
    """A message's value as JSON: a message or a list of texts inside it kept as such (each translated on the
    pages, e.g. the breaks an audit verification found), anything else as its text."""
    if isinstance(value, Listed):
        return {"listed": [_stored(item) for item in value.items]}
    if isinstance(value, Message):
        return {"message": [value.template, {k: _stored(v) for k, v in value.values.items()}]}
    return str(value)


def _loaded(value: Any) -> str:
    """A value _stored wrote, back as the message or list of texts it was."""
    if isinstance(value, dict) and isinstance(value.get("listed"), list):
        return Listed(_loaded(item) for item in value["listed"])
    if isinstance(value, dict) and isinstance(message := value.get("message"), list) and len(message) == 2:
        return Message(str(message[0]), **{k: _loaded(v) for k, v in dict(message[1]).items()})
    return str(value)


def notice_text(notification: Notification, part: str) -> str:
    """A notification's title or body (`part`) as a Message to translate, when it was written as one; else its
    stored text."""
    stored = (notification.payload or {}).get(f"{part}_i18n")
    if isinstance(stored, list) and len(stored) == 2 and isinstance(stored[1], dict):
        return Message(str(stored[0]), **{k: _loaded(v) for k, v in stored[1].items()})
    return str(getattr(notification, part) or "")


def notify(users: Iterable[User | Recipient], note: Note, delivery_status: str = PENDING) -> list[Written]:
    """One notification per user and (kind, key); repeating a notification does nothing. Returns the ones
    written now."""
    recipients = sorted({u.id for u in users})
    if not recipients:
        return []
    now = utcnow()
    payload = {**(note.payload or {}), **_texts(note)}
    rows = [{"user_id": user_id, "kind": note.kind, "title": note.title, "body": note.body,
             "case_id": note.case_id, "task_id": note.task_id, "dedupe_key": f"{note.kind}:{note.key}:{user_id}"[:160],
             "payload": payload, "created_at": now, "delivery_status": delivery_status,
             "delivery_attempts": 0} for user_id in recipients]
    written = db.session.execute(_INSERT_NEW(db.session()), rows).all()  # the rows as parameters: one cached statement
    return [Written(row.id, row.user_id) for row in written]


# A recipient is read for its id, phone and e-mail: its organisation and roles are loaded only if asked for.
RECIPIENT_ONLY = (lazyload(User.organisation), lazyload(User.role_rows))


def users_with_role(role: str, region_code: str | None = None) -> list[User]:
    query = (select(User).options(*RECIPIENT_ONLY).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == role, User.active.is_(True)))
    if region_code is not None:
        query = query.where(User.region_code == region_code)
    return list(db.session.scalars(query.order_by(User.id)).unique())


def users_of_organisation(organisation_id: int, procedure_key: str | None = None) -> list[Recipient]:
    """The active users of an organisation (an applicant enterprise's operators, an individual), by id: all that
    notify needs (not whole rows with their password hashes and encrypted phones). With `procedure_key`: those
    granted it (an operator whose main operator ticked other procedures may not open its cases)."""
    rows = db.session.execute(select(User.id, User.allowed_procedures).where(
        User.organisation_id == organisation_id, User.active.is_(True)).order_by(User.id))
    return [Recipient(user_id) for user_id, rights in rows
            if procedure_key is None or rights_cover(rights, procedure_key)]


def alert_calendar_missing(years: Iterable[int]) -> None:
    """Tell the province's admins, who alone may enter it (a city admin was told to do what he may not), that
    deadlines in these years are provisional until the year is entered (a year entered meanwhile by another
    process is not announced: its deadlines are recomputed)."""
    wanted = set(years)
    if not wanted:
        return
    wanted -= set(db.session.scalars(select(CalendarYear.year).where(CalendarYear.year.in_(wanted))))
    admins = users_with_role(Role.ADMIN, PROVINCE_CODE) if wanted else []
    for year in sorted(wanted):
        notify(admins, Note("calendar_year_missing", Message("请录入 {year} 年节假日安排", year=year),
                            Message("{year} 年的法定节假日和调休安排尚未录入，涉及该年的期限按周末计算并标记为暂定；"
                                    "录入并确认后将自动重算。", year=year), key=str(year), payload={"year": year}))


def list_notifications(actor: Actor, unread_only: bool = False, limit: int = 50, offset: int = 0) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit).offset(offset)))


def count_notifications(actor: Actor) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.id)) or 0


def unread_count(actor: Actor) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None))) or 0


def mark_read(actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all when ids is None); returns how many changed."""
    query = update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = db.session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return rowcount(result)


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending and its pause over (a new notification has none)."""
    return (Notification.delivery_status == PENDING) & or_(Notification.next_attempt_at.is_(None),
                                                            Notification.next_attempt_at <= now)


def pending_delivery_ids(limit: int = 100, now: datetime | None = None) -> list[int]:
    """Notifications waiting for the channel whose pause is over, and claims abandoned by a worker that died
    while sending."""
    now = now or utcnow()
    return list(db.session.scalars(select(Notification.id).where(or_(
        _due(now), (Notification.delivery_status == SENDING) & (Notification.delivered_at < now - STALE_CLAIM)))
        .order_by(Notification.id).limit(limit)))


@dataclass(frozen=True)
class Claim:
    notification_id: int
    message: OutgoingMessage
    attempt: int


def claim_delivery(notification_id: int, now: datetime | None = None) -> Claim | None:
    """Take a notification for sending (the caller commits before sending); None when another worker has
    it, or it was sent already. While `sending`, delivered_at holds the moment of the claim."""
    now = now or utcnow()
    row = db.session.execute(select(Notification.delivery_status, Notification.delivery_attempts,
                                    Notification.delivered_at, Notification.next_attempt_at, Notification.user_id,
                                    Notification.title, Notification.body, Notification.kind)
                             .where(Notification.id == notification_id)).one_or_none()
    if row is None:
        return None
    due = row.delivery_status == PENDING and (row.next_attempt_at is None or row.next_attempt_at <= now)
    if not (due or (row.delivery_status == SENDING and row.delivered_at is not None
                    and row.delivered_at < now - STALE_CLAIM)):
        return None
    claimed = db.session.execute(
        update(Notification).where(Notification.id == notification_id,
                                   Notification.delivery_status == row.delivery_status,
                                   Notification.delivery_attempts == row.delivery_attempts)
        .values(delivery_status=SENDING, delivery_attempts=row.delivery_attempts + 1, delivered_at=now)
        .execution_options(synchronize_session=False))
    if rowcount(claimed) != 1:  # another worker claimed it between our read and our update
        return None
    user = db.session.get(User, row.user_id)
    assert user is not None
    message = OutgoingMessage(recipient=user.username, phone=user.phone, title=row.title, body=row.body,
                              kind=row.kind)
    return Claim(notification_id, message, row.delivery_attempts + 1)


def finish_delivery(claim: Claim, error: str | None = None, now: datetime | None = None) -> str | None:
    """Record the outcome of a claimed delivery: sent, or pending again after a pause, or failed (given up).
    Returns the status written."""
    now = now or utcnow()
    claimed = (Notification.id == claim.notification_id, Notification.delivery_status == SENDING,
               Notification.delivery_attempts == claim.attempt)
    if error is None:
        values: dict[str, Any] = {"delivery_status": SENT, "delivered_at": now, "next_attempt_at": None,
                                  "delivery_error": None}
    else:
        later = retry_at(claim.attempt, now)
        values = {"delivery_status": PENDING if later else FAILED, "delivered_at": None,
                  "next_attempt_at": later or now, "delivery_error": error[:300]}
    done = db.session.execute(update(Notification).where(*claimed).values(**values)
                              .execution_options(synchronize_session=False))
    return str(values["delivery_status"]) if rowcount(done) == 1 else None  # None: another worker took it over


def deliver(notification_id: int, channel: Channel) -> bool:
    """Claim, send and record one notification in the caller's transaction (tests, one worker). The job
    (jobs/notify.py) commits the claim before sending instead, so that no lock is held while it sends."""
    claim = claim_delivery(notification_id)
    if claim is None:
        return False
    try:
        channel.send(claim.message)
    except Exception as exc:  # a gateway failure: try again after a pause, give up after several hours
        finish_delivery(claim, str(exc) or type(exc).__name__)
        return False
    finish_delivery(claim)
    return True
