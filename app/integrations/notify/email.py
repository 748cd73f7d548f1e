"""E-mail through an SMTP relay (the government mail gateway); the address is username@domain."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from app.integrations.notify.base import OutgoingMessage


class EmailChannel:
    def __init__(self, host: str, port: int, sender: str, domain: str) -> None:
        self.host, self.port, self.sender, self.domain = host, port, sender, domain

    def send(self, message: OutgoingMessage) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"] = self.sender, f"{message.recipient}@{self.domain}"
        mail["Subject"] = f"【桂建云】{message.title}"
        mail.set_content(message.body or message.title)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(mail)
