"""A real SMTP server on 127.0.0.1 (aiosmtpd) and the channels pointed at it and at the HTTP stand-in; an SMS gateway
(a stand-in of its own) that can be down."""
from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from app.integrations.standin import StandIn


class Inbox:
    """aiosmtpd's handler: every message the server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            return "451 Requested action aborted: try again later"
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def channels(app: Flask, smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """SMS through the HTTP gateway to the stand-in, e-mail through SMTP to the local server."""
    inbox, port = smtp_server
    stand_in = StandIn.shared()
    for key, value in {"SMS_GATEWAY": "http", "SMS_GATEWAY_URL": stand_in.sms_url, "SMS_GATEWAY_TIMEOUT": 2.0,
                       "MAIL_BACKEND": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": port,
                       "NOTIFY_EMAIL_FROM": "noreply@gjy.example", "PUBLIC_URL": "https://gjy.example"}.items():
        monkeypatch.setitem(app.config, key, value)
    return {"inbox": inbox, "stand_in": stand_in}


@pytest.fixture
def sms_gateway() -> Iterator[StandIn]:
    """An SMS gateway of the test's own that can be down: a stand-in (not the demo's shared one) whose `sms_url`
    answers 503 while its mode is "down" and keeps in `sms` the messages it accepted."""
    stand_in = StandIn()
    try:
        yield stand_in
    finally:
        stand_in.stop()
