"""Outbound notification channels behind one interface: console (default), e-mail, SMS, in-memory."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.integrations.notify.base import Channel, OutgoingMessage
from app.integrations.notify.console import ConsoleChannel
from app.integrations.notify.email import EmailChannel
from app.integrations.notify.memory import MemoryChannel
from app.integrations.notify.sms import SmsGatewayChannel


def make_channel(config: Mapping[str, Any]) -> Channel:
    """The channel named by NOTIFY_CHANNEL: console | email | sms | memory."""
    name = str(config.get("NOTIFY_CHANNEL", "console"))
    if name == "email":
        return EmailChannel(config["NOTIFY_SMTP_HOST"], int(config.get("NOTIFY_SMTP_PORT", 25)),
                            config["NOTIFY_EMAIL_FROM"], config.get("NOTIFY_EMAIL_DOMAIN", ""))
    if name == "sms":
        return SmsGatewayChannel(config["NOTIFY_SMS_URL"], config.get("NOTIFY_SMS_TOKEN", ""))
    if name == "memory":
        return MemoryChannel.shared()
    return ConsoleChannel()


__all__ = ["Channel", "ConsoleChannel", "EmailChannel", "MemoryChannel", "OutgoingMessage", "SmsGatewayChannel",
           "make_channel"]
