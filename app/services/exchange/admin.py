"""What an admin sees of the exchange (per system: whether it has an address, queue, oldest pending, failures,
dead letters, last success; messages by state; inbound results) and the re-send of a dead letter, or of all of a
system's (audited). Admins only."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select

from app.errors import Conflict, Message, NotFound
from app.extensions import db
from app.integrations.exchange import INTERNAL, OUTBOUND_SYSTEMS, SYSTEMS, has_address, title_of
from app.models import Actor, InboundMessage, OutboxMessage, OutboxStatus
from app.policy import require_province_admin
from app.services import audit
from app.services.exchange import delivery

PAGE_SIZE = 50
log = logging.getLogger("app.security")  # who re-sent what: the admin actions' log


@dataclass(frozen=True)
class SystemSummary:
    system: str
    title: str
    pending: int
    oldest_pending_at: datetime | None
    failing: int          # pending again after a failed attempt
    dead: int
    delivered: int
    last_success_at: datetime | None
    inbound_applied: int
    inbound_rejected: int
    configured: bool = True  # False: a system we send to without an address (its messages cannot go out)


def system_summaries(actor: Actor) -> list[SystemSummary]:
    require_province_admin(actor)
    m = OutboxMessage
    waiting = m.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))
    rows = {r.target: r for r in db.session.execute(select(
        m.target, func.count().filter(waiting).label("pending"),
        func.min(case((waiting, m.created_at))).label("oldest"),
        func.count().filter(waiting & (m.attempts > 0) & m.last_error.is_not(None)).label("failing"),
        func.count().filter(m.status == OutboxStatus.DEAD).label("dead"),
        func.count().filter(m.status == OutboxStatus.DELIVERED).label("delivered"),
        func.max(m.sent_at).label("last_success")).group_by(m.target))}
    inbound = {(r.system, r.status): r.n for r in db.session.execute(
        select(InboundMessage.system, InboundMessage.status, func.count().label("n"))
        .group_by(InboundMessage.system, InboundMessage.status))}
    summaries = []
    for system in (*SYSTEMS, INTERNAL):
        r = rows.get(system)
        summaries.append(SystemSummary(
            system, title_of(system), r.pending if r else 0, r.oldest if r else None, r.failing if r else 0,
            r.dead if r else 0, r.delivered if r else 0, r.last_success if r else None,
            inbound.get((system, "applied"), 0), inbound.get((system, "rejected"), 0),
            has_address(current_app.config, system)))
    return summaries


def list_messages(actor: Actor, status: str | None = None, target: str | None = None, page: int = 1,
                  per_page: int = PAGE_SIZE) -> tuple[list[OutboxMessage], int]:
    require_province_admin(actor)
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    if target:
        query = query.where(OutboxMessage.target == target)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return list(items), total


HELD_BEHIND_DEAD = "等待同组前一条消息（#{id}，发送失败）重新发送后发送"
HELD_BEHIND = "等待同组前一条消息（#{id}）送达后发送"


def held_behind(messages: list[OutboxMessage]) -> dict[int, str]:
    """Why each waiting message of `messages` is not sent yet, where an earlier message of its group (aggregate)
    is not delivered: the first of them, a dead letter to re-send or one still on its way (one query)."""
    waiting = [m for m in messages if m.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)]
    if not waiting:
        return {}
    m = OutboxMessage
    firsts = (select(func.min(m.id)).where(m.aggregate_key.in_({w.aggregate_key for w in waiting}),
                                           m.status != OutboxStatus.DELIVERED).group_by(m.aggregate_key))
    first = {r.aggregate_key: r for r in db.session.execute(
        select(m.id, m.status, m.aggregate_key).where(m.id.in_(firsts.scalar_subquery())))}
    reasons: dict[int, str] = {}
    for message in waiting:
        blocker = first.get(message.aggregate_key)
        if blocker is not None and blocker.id < message.id:
            template = HELD_BEHIND_DEAD if blocker.status == OutboxStatus.DEAD else HELD_BEHIND
            reasons[message.id] = Message(template, id=blocker.id)
    return reasons


def resend_message(actor: Actor, message_id: int) -> OutboxMessage:
    """Re-send a dead letter (refused with a 409 for a message in any other state)."""
    require_province_admin(actor)
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("未找到该报文", code="outbox_message_not_found")
    if not delivery.resend(message_id):
        raise Conflict("只有发送失败（死信）的报文可以重新发送", code="outbox_not_dead")
    log.info("outbox message %s (%s) re-sent by user %s", message_id, message.kind, actor.id)
    audit.record(actor, "exchange.resent", "outbox_message", message_id, kind=message.kind, target=message.target,
                 idempotency_key=message.idempotency_key)
    db.session.refresh(message)
    return message


def resend_system(actor: Actor, target: str) -> list[int]:
    """Re-send every dead letter to one system at once (after its link was put right); their ids, in order.
    Audited, with their ids."""
    require_province_admin(actor)
    if target not in SYSTEMS and target != INTERNAL:
        raise NotFound("未知的数据交换系统", code="exchange_system_unknown")
    ids = delivery.resend_all(target)
    if ids:
        log.info("%s dead letter(s) to %s re-sent by user %s", len(ids), target, actor.id)
        audit.record(actor, "exchange.resent_all", "exchange_system", target, target=target, count=len(ids),
                     message_ids=ids)
    return ids


def list_inbound(actor: Actor, status: str | None = None, system: str | None = None, page: int = 1,
                 per_page: int = PAGE_SIZE) -> tuple[list[InboundMessage], int]:
    require_province_admin(actor)
    query = select(InboundMessage)
    if status:
        query = query.where(InboundMessage.status == status)
    if system:
        query = query.where(InboundMessage.system == system)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.order_by(InboundMessage.id.desc()).offset((page - 1) * per_page)
                               .limit(per_page))
    return list(items), total


def system_titles() -> dict[str, str]:
    """Every system's title by its key (the senders of received messages, the targets of outgoing ones)."""
    return {**{key: system.title for key, system in SYSTEMS.items()}, INTERNAL: title_of(INTERNAL)}


def outbound_systems() -> list[tuple[str, str]]:
    return [(key, SYSTEMS[key].title) for key in OUTBOUND_SYSTEMS] + [(INTERNAL, title_of(INTERNAL))]


def as_row(message: OutboxMessage) -> dict[str, Any]:
    """A message as the admin sees it (the payload is shown: admins only)."""
    return {"id": message.id, "kind": message.kind, "target": message.target, "status": message.status,
            "attempts": message.attempts, "aggregate_key": message.aggregate_key, "case_id": message.case_id,
            "created_at": message.created_at, "sent_at": message.sent_at, "next_attempt_at": message.next_attempt_at,
            "last_error": message.last_error, "acknowledgement": message.acknowledgement,
            "idempotency_key": message.idempotency_key}
