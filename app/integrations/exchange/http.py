"""The HTTP connector: one JSON POST per message to `<base URL>/messages`, with the `Idempotency-Key`
header (the same on every retry), a bearer credential and an HMAC signature; `GET <base URL>/health`.

Answers: 2xx with a JSON object holding `reference` = accepted (`duplicate: true` when the receiver had
the key already); 408, 425, 429, 5xx, a timeout, a refused connection or an answer that is not such JSON =
retry later; 401, 403, 404, 407, 421 = the receiver refuses our credentials or address (a setup problem of the
link: retried later, the admins told); any other 4xx = the receiver refuses the message itself (dead letter at
once). The reasons are Messages of reasons.py, naming the system by its title."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from app.errors import Message
from app.integrations.exchange import reasons
from app.integrations.exchange.base import Acknowledgement, DeliveryFailed, Health, OutgoingMessage
from app.integrations.exchange.signing import signed_headers
from app.integrations.exchange.systems import title_of

RETRYABLE_STATUSES = {408, 425, 429}
LINK_STATUSES = {401, 403, 404, 407, 421}  # our credential or address is refused, not the message


class RateLimit:
    """At most `per_second` calls a second from this process (the senders of a round wait for their turn);
    0: no limit. Shared by every connector to the same system (RateLimit.of)."""

    _limits: dict[tuple[str, float], RateLimit] = {}
    _limits_lock = threading.Lock()

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    @classmethod
    def of(cls, system: str, per_second: float) -> RateLimit:
        with cls._limits_lock:
            return cls._limits.setdefault((system, per_second), cls(per_second))

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class HttpConnector:
    def __init__(self, system: str, url: str, key: str = "", timeout: float = 10, rate: float = 0) -> None:
        self.system, self.url, self.key, self.timeout = system, url.rstrip("/"), key, timeout
        self.rate = RateLimit.of(system, rate)

    def deliver(self, message: OutgoingMessage) -> Acknowledgement:
        self.rate.wait()
        body = json.dumps({"kind": message.kind, "schema_version": message.schema_version,
                           "message_id": message.message_id, "payload": message.payload},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.idempotency_key,
                   "X-GJY-Message-Kind": message.kind}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
            headers.update(signed_headers(self.key, body))
        request = urllib.request.Request(f"{self.url}/messages", data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            raise _refused(self.system, exc.code, exc.read()) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryFailed(_unreachable(self.system, exc)) from exc
        return _acknowledgement(self.system, status, raw)

    def health(self) -> Health:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=min(self.timeout, 5)) as response:  # noqa: S310
                return Health(200 <= response.status < 300, f"HTTP {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Health(False, _why_unreachable(exc))


def _excerpt(raw: bytes) -> str:
    return raw[:200].decode("utf-8", "replace").strip() or "-"


def _refused(system: str, status: int, raw: bytes) -> DeliveryFailed:
    """An HTTP error answer: retried (later, or once the link is put right) or the message refused."""
    title = Message(title_of(system))
    if status in LINK_STATUSES:
        return DeliveryFailed(Message(reasons.LINK_REFUSED, system=title, status=status, body=_excerpt(raw)),
                              link_refused=True)
    retryable = status >= 500 or status in RETRYABLE_STATUSES
    return DeliveryFailed(Message(reasons.ANSWERED, system=title, status=status, body=_excerpt(raw)), retryable)


def _why_unreachable(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError):
        return Message(reasons.TIMED_OUT)
    if isinstance(reason, ConnectionRefusedError):
        return Message(reasons.CONNECTION_REFUSED)
    return str(reason)


def _unreachable(system: str, exc: BaseException) -> str:
    return Message(reasons.UNREACHABLE, system=Message(title_of(system)), reason=_why_unreachable(exc))


def _acknowledgement(system: str, status: int, raw: bytes) -> Acknowledgement:
    try:
        answer: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryFailed(Message(reasons.NOT_JSON, system=Message(title_of(system)), status=status,
                                     body=_excerpt(raw))) from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("reference"), str) or not answer["reference"]:
        raise DeliveryFailed(Message(reasons.NO_REFERENCE, system=Message(title_of(system)), status=status,
                                     body=_excerpt(raw)))
    return Acknowledgement(answer["reference"][:120], bool(answer.get("duplicate")), answer)
