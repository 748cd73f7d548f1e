"""The one interface every SMS gateway implements."""
from __future__ import annotations

from typing import Protocol


class SmsUndelivered(Exception):
    """The gateway refused the message, failed or did not answer in time."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Hand one message to the gateway, or raise SmsUndelivered."""
