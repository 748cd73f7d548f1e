"""Outgoing e-mail behind one interface (applicants' notices): console (default), SMTP, memory (tests)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.integrations.mail.base import Mailer, MailUndelivered, mask_address
from app.integrations.mail.console import ConsoleMailer
from app.integrations.mail.memory import MemoryMailer
from app.integrations.mail.smtp import SmtpMailer


def make_mailer(config: Mapping[str, Any]) -> Mailer:
    """The mailer named by MAIL_BACKEND: console | smtp | memory."""
    name = str(config.get("MAIL_BACKEND") or "console")
    if name == "smtp":
        return SmtpMailer(host=str(config["NOTIFY_SMTP_HOST"]), port=int(config.get("NOTIFY_SMTP_PORT", 25)),
                          sender=str(config["NOTIFY_EMAIL_FROM"]), user=str(config.get("SMTP_USER") or ""),
                          password=str(config.get("SMTP_PASSWORD") or ""),
                          security=str(config.get("SMTP_SECURITY") or "none"),
                          timeout=float(config.get("SMTP_TIMEOUT", 10)))
    if name == "memory":
        return MemoryMailer.shared()
    return ConsoleMailer()


__all__ = ["ConsoleMailer", "MailUndelivered", "Mailer", "MemoryMailer", "SmtpMailer", "make_mailer", "mask_address"]
