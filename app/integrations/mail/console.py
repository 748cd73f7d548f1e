"""Default mailer: writes to the log that a message went out, with the address masked and without the text."""
from __future__ import annotations

import logging

from app.integrations.mail.base import mask_address

log = logging.getLogger("gjy.mail")


class ConsoleMailer:
    def send(self, to: str, subject: str, text: str) -> None:
        log.info("mail to %s: %s (%d characters; console mailer: not sent)", mask_address(to), subject, len(text))
