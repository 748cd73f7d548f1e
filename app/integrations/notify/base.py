"""The one interface every notification channel implements."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    recipient: str          # the username
    phone: str | None
    title: str
    body: str
    kind: str


class Channel(Protocol):
    def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise; the caller retries a failed message later."""
