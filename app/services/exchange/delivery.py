"""Outbox delivery: claim due messages, record the outcome of sending them (the job sends in between,
outside any transaction: app/jobs/exchange.py).

- Claim: one statement, `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …`:
  on PostgreSQL several dispatchers skip each other's rows; on SQLite the statement holds the one write
  lock. A claim is a lease (`lease_until`): a dispatcher killed after claiming leaves a `sending` row that
  another takes over once the lease has passed. It sends with the same Idempotency-Key, so the receiver
  applies the message once (delivery is at least once; the effect exactly once).
- Order per aggregate: a message is due only when every earlier message of its aggregate (one enterprise)
  is delivered; a dead letter holds the later ones until an admin re-sends it.
- Failure: retried after an exponential backoff with jitter (base · 2^(attempt-1), capped, times a random
  factor in [0.5, 1]); dead after the retry budget, or at once when the receiver refuses the message. A receiver
  that refuses our credentials or address (the link, not the message) is retried the same way, and the
  province's admins are told once per spell of such refusals (until the system's next delivery); so is a system
  without an address (no GJY_<SYSTEM>_URL outside demo mode), told as such.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from app.db import UTCDateTime, rowcount, utcnow
from app.errors import Message
from app.extensions import db
from app.integrations.exchange import SYSTEMS, Acknowledgement, OutgoingMessage, title_of
from app.integrations.exchange.reasons import not_configured
from app.models import PROVINCE_CODE, OutboxMessage, OutboxStatus, Role
from app.services.notifications import Note, notify, users_with_role

_M = OutboxMessage
PENDING, SENDING = OutboxStatus.PENDING, OutboxStatus.SENDING
DELIVERED, DEAD = OutboxStatus.DELIVERED, OutboxStatus.DEAD


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 10
    backoff_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0
    lease_seconds: float = 60.0

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(int(config.get("EXCHANGE_MAX_ATTEMPTS", 10)), float(config.get("EXCHANGE_BACKOFF_SECONDS", 5)),
                   float(config.get("EXCHANGE_BACKOFF_CAP_SECONDS", 3600)),
                   float(config.get("EXCHANGE_LEASE_SECONDS", 60)))

    def backoff(self, attempt: int, draw: float | None = None) -> timedelta:
        """The wait after failed attempt `attempt` (1-based): exponential, capped, with jitter."""
        ceiling = min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** max(attempt - 1, 0))
        factor = 0.5 + 0.5 * (random.random() if draw is None else draw)  # noqa: S311 (jitter, not secrecy)
        return timedelta(seconds=ceiling * factor)


@dataclass(frozen=True)
class Claim:
    id: int
    target: str
    attempt: int
    case_id: int | None
    message: OutgoingMessage


def _due() -> Any:
    earlier = aliased(OutboxMessage)
    now = bindparam("now", type_=UTCDateTime())
    blocked = exists().where(earlier.aggregate_key == _M.aggregate_key, earlier.id < _M.id,
                             earlier.status != DELIVERED)
    ready = or_(and_(_M.status == PENDING, or_(_M.next_attempt_at.is_(None), _M.next_attempt_at <= now)),
                and_(_M.status == SENDING, _M.lease_until < now))
    return and_(ready, ~blocked)


@functools.cache
def _claim_statement(limit: int, targets: tuple[str, ...] | None) -> Any:
    """The claim, built once per (limit, targets): parameters now, lease_until."""
    chosen = select(_M.id).where(_due())
    if targets is not None:
        chosen = chosen.where(_M.target.in_(targets))
    chosen = chosen.order_by(_M.id).limit(limit).with_for_update(skip_locked=True, of=_M)
    return (update(_M).where(_M.id.in_(chosen.scalar_subquery()))
            .values(status=SENDING, attempts=_M.attempts + 1, lease_until=bindparam("lease_until"),
                    last_attempt_at=bindparam("now"))
            .returning(_M.id, _M.target, _M.attempts, _M.case_id, _M.kind, _M.payload, _M.idempotency_key,
                       _M.schema_version)
            .execution_options(synchronize_session=False))


def claim_due(limit: int = 50, policy: Policy | None = None, now: datetime | None = None,
              targets: tuple[str, ...] | None = None) -> list[Claim]:
    """Take up to `limit` due messages for this dispatcher (the caller commits before sending)."""
    policy, now = policy or Policy(), now or utcnow()
    rows = db.session.execute(_claim_statement(limit, targets), {
        "now": now, "lease_until": now + timedelta(seconds=policy.lease_seconds)}).all()
    return [Claim(r.id, r.target, r.attempts, r.case_id,
                  OutgoingMessage(r.kind, r.payload, r.idempotency_key, r.schema_version, r.id))
            for r in sorted(rows, key=lambda r: r.id)]


def record_delivered(claim: Claim, ack: Acknowledgement, now: datetime | None = None) -> bool:
    """The receiver accepted it: delivered, whoever's attempt it was (a success is never undone); the error of
    an earlier attempt is gone with it."""
    done = db.session.execute(
        update(_M).where(_M.id == claim.id, _M.status != DELIVERED)
        .values(status=DELIVERED, sent_at=now or utcnow(), acknowledgement=ack.reference[:120], lease_until=None,
                next_attempt_at=None, dead_at=None, last_error=None)
        .execution_options(synchronize_session=False))
    return rowcount(done) == 1


def record_failure(claim: Claim, reason: str, retryable: bool = True, policy: Policy | None = None,
                   now: datetime | None = None, link_refused: bool = False) -> str:
    """This attempt failed: pending again after a backoff, or dead (budget spent, or refused). Only the
    dispatcher holding the claim records it (a lease taken over meanwhile is the other's). `link_refused`: the
    receiver refuses our credentials or address (or we have no address for it), retried as any failure, the
    admins told once. The new status."""
    policy, now = policy or Policy(), now or utcnow()
    dead = not (retryable or link_refused) or claim.attempt >= policy.max_attempts
    values: dict[str, Any] = {"last_error": reason[:500], "lease_until": None}
    if dead:
        values.update(status=DEAD, dead_at=now, next_attempt_at=None)
    else:
        values.update(status=PENDING, next_attempt_at=now + policy.backoff(claim.attempt))
    done = db.session.execute(
        update(_M).where(_M.id == claim.id, _M.status == SENDING, _M.attempts == claim.attempt).values(**values)
        .execution_options(synchronize_session=False))
    if link_refused and rowcount(done) == 1:
        alert_link_refused(claim.target, reason)
    return DEAD if dead else PENDING


LINK_REFUSED_TITLE = "数据交换：{system}拒绝了本系统的凭据"
LINK_REFUSED_BODY = ("{system}拒绝了本系统的凭据或地址（如凭据轮换后本系统的配置未更新）。发往该系统的报文未被丢弃，"
                     "按退避继续重试，重试次数用尽后成为死信；请核对 {setting}_URL 和 {setting}_KEY，"
                     "并在“数据交换”页面查看发送结果。")


NOT_CONFIGURED_TITLE = "数据交换：未配置{system}的地址"
NOT_CONFIGURED_BODY = ("未配置{system}的地址（{setting}，或 {alternative}），发往该系统的报文无法发送。报文未被丢弃，"
                       "按退避继续重试，重试次数用尽后成为死信；请设置该地址（及 {key}）并重启，然后在“数据交换”页面"
                       "查看发送结果，死信可全部重新发送。")


def alert_link_refused(system: str, reason: str = "") -> None:
    """Tell the province's admins (who see the exchange) that `system` refuses our credentials, or has no address
    configured (as `reason` says): once per spell of such failures, i.e. per last successful delivery to it
    (failing again after a success: told again)."""
    last = db.session.scalar(select(func.max(_M.sent_at)).where(_M.target == system, _M.status == DELIVERED))
    title = Message(title_of(system))
    setting = SYSTEMS[system].env_prefix if system in SYSTEMS else system.upper()
    if not_configured(reason):
        kind, subject = "exchange_not_configured", Message(NOT_CONFIGURED_TITLE, system=title)
        body = Message(NOT_CONFIGURED_BODY, system=title, setting=f"GJY_{system.upper()}_URL",
                       alternative=f"{setting}_URL", key=f"{setting}_KEY")
    else:
        kind, subject = "exchange_link_refused", Message(LINK_REFUSED_TITLE, system=title)
        body = Message(LINK_REFUSED_BODY, system=title, setting=setting)
    notify(users_with_role(Role.ADMIN, PROVINCE_CODE), Note(
        kind, subject, body, key=f"{system}:{last.isoformat() if last else 'never'}", payload={"system": system}))


def resend(message_id: int, now: datetime | None = None) -> bool:
    """A dead letter goes back to the queue with a fresh retry budget (the admin's 重新发送); its
    Idempotency-Key stays, so a receiver that had it already does not apply it twice."""
    done = db.session.execute(
        update(_M).where(_M.id == message_id, _M.status == DEAD)
        .values(status=PENDING, attempts=0, next_attempt_at=now or utcnow(), dead_at=None, lease_until=None)
        .execution_options(synchronize_session=False))
    return rowcount(done) == 1


def resend_all(target: str, now: datetime | None = None) -> list[int]:
    """Every dead letter to `target` back to the queue as `resend` does (one statement); their ids. Each
    aggregate's order holds: a message still waits for the earlier ones of its aggregate."""
    done = db.session.execute(
        update(_M).where(_M.target == target, _M.status == DEAD)
        .values(status=PENDING, attempts=0, next_attempt_at=now or utcnow(), dead_at=None, lease_until=None)
        .returning(_M.id).execution_options(synchronize_session=False))
    return sorted(done.scalars())
