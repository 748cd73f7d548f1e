"""The one interface every mailer implements, and how an address appears in logs."""
from __future__ import annotations

from typing import Protocol


class MailUndelivered(Exception):
    """The server refused the message, failed or did not answer in time."""


class Mailer(Protocol):
    def send(self, to: str, subject: str, text: str) -> None:
        """Hand one plain-text message (UTF-8) to the server, or raise MailUndelivered."""


def mask_address(address: str) -> str:
    """zhang.san@example.com -> z***@example.com: enough to tell which account, not the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
