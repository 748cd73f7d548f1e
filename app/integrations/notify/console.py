"""Default channel: writes notifications to the log (laptop, demo, tests)."""
from __future__ import annotations

import logging

from app.integrations.notify.base import OutgoingMessage

log = logging.getLogger("gjy.notify")


class ConsoleChannel:
    def send(self, message: OutgoingMessage) -> None:
        log.info("notify %s [%s] %s", message.recipient, message.kind, message.title)
