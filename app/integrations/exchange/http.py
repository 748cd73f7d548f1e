"""The HTTP connector: one JSON POST per message to `<base URL>/messages`, with the `Idempotency-Key`
header (the same on every retry), a bearer credential and an HMAC signature; `GET <base URL>/health`.

Answers: 2xx with a JSON object holding `reference` = accepted (`duplicate: true` when the receiver had
the key already); 408, 425, 429, 5xx, a timeout, a refused connection or an answer that is not such JSON =
retry later; any other 4xx = the receiver refuses the message itself (dead letter at once)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from app.integrations.exchange.base import Acknowledgement, DeliveryFailed, Health, OutgoingMessage
from app.integrations.exchange.signing import signed_headers

RETRYABLE_STATUSES = {408, 425, 429}


class HttpConnector:
    def __init__(self, system: str, url: str, key: str = "", timeout: float = 10) -> None:
        self.system, self.url, self.key, self.timeout = system, url.rstrip("/"), key, timeout

    def deliver(self, message: OutgoingMessage) -> Acknowledgement:
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
            retryable = exc.code >= 500 or exc.code in RETRYABLE_STATUSES
            raise DeliveryFailed(f"{self.system} answered HTTP {exc.code}: {_excerpt(exc.read())}", retryable) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"{self.system} unreachable: {getattr(exc, 'reason', exc)}") from exc
        return _acknowledgement(self.system, status, raw)

    def health(self) -> Health:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=min(self.timeout, 5)) as response:  # noqa: S310
                return Health(200 <= response.status < 300, f"HTTP {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Health(False, str(getattr(exc, "reason", exc)))


def _excerpt(raw: bytes) -> str:
    return raw[:200].decode("utf-8", "replace")


def _acknowledgement(system: str, status: int, raw: bytes) -> Acknowledgement:
    try:
        answer: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryFailed(f"{system} answered HTTP {status} with something that is not JSON: {_excerpt(raw)}") \
            from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("reference"), str) or not answer["reference"]:
        raise DeliveryFailed(f"{system} answered HTTP {status} without a reference: {_excerpt(raw)}")
    return Acknowledgement(answer["reference"][:120], bool(answer.get("duplicate")), answer)
