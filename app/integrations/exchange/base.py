"""The one interface every connector implements (one per external system; issue 23's project registration
uses it as the dispatcher does).

    connector.deliver(OutgoingMessage(...)) -> Acknowledgement    or raises DeliveryFailed
    connector.health() -> Health

`deliver` sends one message and returns only when the receiver has accepted it. It must carry
`message.idempotency_key` so that the receiver applies a message sent twice (a retry, a dispatcher killed
after sending) once: the HTTP connector sends it as the `Idempotency-Key` header. It raises
DeliveryFailed(retryable=True) for what may pass later (timeouts, 5xx, 429, garbage),
DeliveryFailed(link_refused=True) (retryable too) when the receiver refuses our credentials or address (401,
403, 404, 407, 421: a setup problem of the link, e.g. a rotated key; the admins are told), or when no address is
configured at all (UnconfiguredConnector: the admins are told that), and
DeliveryFailed(retryable=False) for a refusal of the message itself (another 4xx): the dispatcher then
dead-letters it at once. Its `reason` is a Message of reasons.py (stored in Chinese, read back on the admin's
page in its language). A connector holds no database session and is safe to call from several threads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    kind: str                 # national_platform.data_level_change
    payload: dict[str, Any]
    idempotency_key: str      # the same on every retry of this message
    schema_version: int = 1
    message_id: int | None = None  # our outbox row, for the receiver's logs


@dataclass(frozen=True)
class Acknowledgement:
    reference: str            # the receiver's id for what it did with the message
    duplicate: bool = False   # the receiver had it already (a retry): no second effect
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str = ""


class DeliveryFailed(Exception):
    """The receiver did not accept the message (now). `retryable` False: it never will (a refusal);
    `link_refused`: it refuses our credentials or address, or we have none for it, not the message (retried; the
    admins are told)."""

    def __init__(self, reason: str, retryable: bool = True, link_refused: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable or link_refused
        self.link_refused = link_refused


class Connector(Protocol):
    system: str

    def deliver(self, message: OutgoingMessage) -> Acknowledgement:
        """Send one message; return when accepted, or raise DeliveryFailed."""

    def health(self) -> Health:
        """Whether the system answers (the admin page's health check)."""
