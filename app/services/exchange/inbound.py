"""Inbound messages: stored as received, validated against their schema, applied once, out-of-order safe,
with a result an admin sees (applied / rejected with reason / conflict).

`receive(system, envelope, channel)` is what the signed HTTP endpoint and the file import both call,
inside the caller's unit of work:
- the same (system, message_id) twice: the first result is answered again, nothing changes (`duplicate`);
- envelope without a usable message_id or kind: refused (InvalidMessage, 422), nothing stored;
- a kind the system does not send, an unknown schema version, a payload that does not match its schema:
  stored as rejected with the reason;
- an entity's version older than (or equal to) one already applied: stored as conflict, nothing changes;
- else the kind's applier runs in a savepoint: applied, or rejected by a rule (RuleViolation: its code and
  message), the savepoint undone.

A signed HTTP request refused before anything is stored (401 a bad, old or missing signature or key, 409 a replay,
422 no envelope) leaves a WARNING on the security log (app.security) with its status, code and reason and the
system it claims to come from: never its body (an admin finds the partner whose key is wrong).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import attempt, utcnow
from app.errors import Conflict, DomainError, Message, NotAuthenticated, NotFound, RuleViolation
from app.extensions import db
from app.integrations.exchange import SYSTEMS, schemas
from app.integrations.exchange.signing import signature_matches, timestamp_age
from app.models import InboundMessage, InboundStatus
from app.services import audit
from app.services.exchange import appliers
from app.services.exchange import results as said

UNCHANGED = frozenset({"unchanged", "recorded"})  # outcomes that changed no record (not audited)
security_log = logging.getLogger("app.security")


class InvalidMessage(DomainError):
    status, code, message = 422, "exchange_message_invalid", "报文格式不正确"


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    duplicate: bool = False


class SignatureRefused(NotAuthenticated):
    status, code, message = 401, "signature_invalid", "签名无效，报文未予接收"


@dataclass(frozen=True)
class SignedRequest:
    system: str
    timestamp: str
    signature: str
    body: bytes


def check_signature(request: SignedRequest, key: str, window_seconds: int, now: float | None = None) -> None:
    """A request from `system` signed with its key, within the replay window, never seen before; else a
    401 (409 for a replay) with a stable code, nothing stored, the refusal logged."""
    with _refusals_logged(request.system):
        _check_signature(request, key, window_seconds, now)


@contextmanager
def _refusals_logged(system: str) -> Iterator[None]:
    """A refusal of a request, on the security log: status, code, reason and the sender claimed (no body)."""
    try:
        yield
    except DomainError as refused:
        security_log.warning("exchange request from %s refused: %s %s (%s)", system, refused.status, refused.code,
                             refused.message)
        raise


def _check_signature(request: SignedRequest, key: str, window_seconds: int, now: float | None) -> None:
    if request.system not in SYSTEMS:
        raise NotFound("未知的数据交换系统", code="exchange_system_unknown")
    if not key:
        raise SignatureRefused("本系统未配置该系统的接入密钥，报文未予接收", code="exchange_key_missing")
    if not request.timestamp or not request.signature:
        raise SignatureRefused("缺少签名或时间戳（X-GJY-Timestamp、X-GJY-Signature），报文未予接收",
                               code="signature_missing")
    age = timestamp_age(request.timestamp, now)
    if age is None or age > window_seconds:
        raise SignatureRefused(Message("签名时间戳超出允许范围（±{seconds} 秒），报文未予接收", seconds=window_seconds),
                               code="signature_expired")
    if not signature_matches(key, request.timestamp, request.body, request.signature):
        raise SignatureRefused()
    seen = db.session.scalar(select(InboundMessage.id).where(InboundMessage.signature == _signature(request)))
    if seen is not None:
        raise Conflict("该签名请求已处理过（重放），未予处理", code="signature_replayed")


def _signature(request: SignedRequest) -> str:
    return request.signature.strip().lower()[:64]


def receive_signed(request: SignedRequest) -> Received:
    """An HTTP message whose signature check_signature accepted: its body read as the envelope and received, its
    signature kept; a body that is no envelope refused (422, logged)."""
    with _refusals_logged(request.system):
        try:
            envelope = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidMessage("报文不是有效的 JSON，未予接收") from exc
        received = receive(request.system, envelope, "http")
    if not received.duplicate:
        received.message.signature = _signature(request)
        db.session.flush()
    return received


def _envelope_problems(envelope: Any) -> list[str]:
    return schemas.problems("inbound", "envelope", 1, envelope)


def receive(system: str, envelope: Any, channel: str = "http") -> Received:
    if system not in SYSTEMS:
        raise NotFound("未知的数据交换系统", code="exchange_system_unknown")
    found = _envelope_problems(envelope)
    if not isinstance(envelope, dict) or not isinstance(envelope.get("message_id"), str) \
            or not envelope["message_id"] or not isinstance(envelope.get("kind"), str):
        raise InvalidMessage("报文缺少 message_id 或 kind，未予接收", details={"problems": found})
    earlier = _stored(system, envelope["message_id"])
    if earlier is not None:
        return Received(earlier, duplicate=True)
    row = InboundMessage(system=system, message_id=envelope["message_id"][:120], kind=envelope["kind"][:60],
                         channel=channel, payload=envelope, status=InboundStatus.REJECTED, received_at=utcnow())
    try:
        with attempt(db.session()):
            db.session.add(row)
    except IntegrityError:  # the same message, arrived meanwhile by another request: its result stands
        earlier = _stored(system, envelope["message_id"])
        assert earlier is not None
        return Received(earlier, duplicate=True)
    _process(row, envelope, found)
    db.session.flush()
    return Received(row)


def _stored(system: str, message_id: str) -> InboundMessage | None:
    return db.session.scalar(select(InboundMessage).where(InboundMessage.system == system,
                                                          InboundMessage.message_id == message_id[:120]))


def _reject(row: InboundMessage, code: str, message: str) -> None:
    row.status, row.result_code, row.result_message = InboundStatus.REJECTED, code, message[:500]


def _process(row: InboundMessage, envelope: dict[str, Any], envelope_problems: list[str]) -> None:
    kind = row.kind
    if envelope_problems:
        return _reject(row, "envelope_invalid", Message(said.ENVELOPE_INVALID, problems="；".join(envelope_problems)))
    if kind not in SYSTEMS[row.system].inbound_kinds:
        system = Message(SYSTEMS[row.system].title)
        return _reject(row, "kind_not_accepted", Message(said.KIND_NOT_ACCEPTED, system=system, kind=kind))
    version = envelope["schema_version"]
    if version > schemas.kinds("inbound").get(kind, 0):
        return _reject(row, "schema_version_unknown", Message(said.VERSION_UNSUPPORTED, kind=kind, version=version))
    payload = envelope["payload"]
    found = schemas.problems("inbound", kind, version, payload)
    if found:
        return _reject(row, "payload_invalid", Message(said.PAYLOAD_INVALID, problems="；".join(found)))
    row.entity_key, row.version = appliers.entity_key(kind, payload), envelope.get("version")
    if row.version is not None and _newer_applied(row):
        row.status, row.result_code = InboundStatus.CONFLICT, "stale_version"
        row.result_message = str(Message(said.NEWER_VERSION_APPLIED, entity=row.entity_key, version=row.version))
        return None
    try:
        with attempt(db.session()):
            outcome = appliers.apply(row.system, kind, payload, row)
    except RuleViolation as refusal:
        _reject(row, refusal.code, refusal.message)
        return appliers.report(refusal, row)
    row.status, row.result_code, row.result_message = InboundStatus.APPLIED, outcome.code, outcome.message[:500]
    row.case_id = outcome.case_id
    if outcome.code not in UNCHANGED:  # another system changed our records: audited (the system acted, no user)
        audit.record(None, "exchange.applied", "inbound_message", row.id, system=row.system, kind=kind,
                     message_id=row.message_id, result=outcome.code, entity=row.entity_key, case_id=outcome.case_id)
    return None


def _newer_applied(row: InboundMessage) -> bool:
    newest = db.session.scalar(select(func.max(InboundMessage.version)).where(
        InboundMessage.entity_key == row.entity_key, InboundMessage.status == InboundStatus.APPLIED,
        InboundMessage.id != row.id))
    return newest is not None and row.version is not None and newest >= row.version
