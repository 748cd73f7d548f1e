"""E-mail through an SMTP server (the government mail gateway, or any relay): plain text in UTF-8, with
STARTTLS or implicit TLS and a login when configured (GJY_SMTP_*)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.integrations.mail.base import MailUndelivered

SECURITIES = ("none", "starttls", "ssl")


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, user: str = "", password: str = "",
                 security: str = "none", timeout: float = 10) -> None:
        if security not in SECURITIES:
            raise ValueError(f"GJY_SMTP_SECURITY must be one of {', '.join(SECURITIES)}, not {security!r}")
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.security, self.timeout = user, password, security, timeout

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, to: str, subject: str, text: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, to, subject
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.partition("@")[2] or None)
        mail.set_content(text, charset="utf-8")
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailUndelivered(f"SMTP {self.host}:{self.port} failed: {type(exc).__name__}: {exc}") from exc
