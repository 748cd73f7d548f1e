"""Default gateway: writes to the log that a message went out, with the phone masked and without the text
(it holds a sign-in code). Demo mode shows the code on the page instead."""
from __future__ import annotations

import logging

from app.log_masking import mask_text

log = logging.getLogger("gjy.sms")


class ConsoleSmsGateway:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s (%d characters; console gateway: not sent)", mask_text(phone), len(text))
