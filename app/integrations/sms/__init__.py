"""SMS gateways behind one interface (sign-in codes, registration links): console (default), HTTP, memory."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.integrations.sms.base import SmsGateway, SmsUndelivered
from app.integrations.sms.console import ConsoleSmsGateway
from app.integrations.sms.http import HttpSmsGateway
from app.integrations.sms.memory import MemorySmsGateway


def make_sms_gateway(config: Mapping[str, Any]) -> SmsGateway:
    """The gateway named by SMS_GATEWAY: console | http | memory."""
    name = str(config.get("SMS_GATEWAY") or "console")
    if name == "http":
        return HttpSmsGateway(str(config["SMS_GATEWAY_URL"]), str(config.get("SMS_GATEWAY_TOKEN") or ""),
                              float(config.get("SMS_GATEWAY_TIMEOUT", 5)))
    if name == "memory":
        return MemorySmsGateway.shared()
    return ConsoleSmsGateway()


__all__ = ["ConsoleSmsGateway", "HttpSmsGateway", "MemorySmsGateway", "SmsGateway", "SmsUndelivered",
           "make_sms_gateway"]
