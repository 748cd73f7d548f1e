"""In-process mailer for tests: keeps what was sent, can be told to fail."""
from __future__ import annotations

import threading
from typing import ClassVar

from app.integrations.mail.base import MailUndelivered


class MemoryMailer:
    _shared: ClassVar[MemoryMailer | None] = None

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail_next = 0
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> MemoryMailer:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def send(self, to: str, subject: str, text: str) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise MailUndelivered("injected mail failure")
            self.sent.append((to, subject, text))
