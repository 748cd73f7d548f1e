"""In-process gateway for tests: keeps what was sent (the tests read sign-in codes from it)."""
from __future__ import annotations

import re
import threading
from typing import ClassVar

from app.integrations.sms.base import SmsUndelivered

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class MemorySmsGateway:
    _shared: ClassVar[MemorySmsGateway | None] = None

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_next = 0
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> MemorySmsGateway:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise SmsUndelivered("injected gateway failure")
            self.sent.append((phone, text))

    def last_text(self, phone: str) -> str | None:
        with self._lock:
            return next((text for to, text in reversed(self.sent) if to == phone), None)

    def last_code(self, phone: str) -> str | None:
        """The six-digit code in the newest message to `phone`."""
        text = self.last_text(phone)
        match = _CODE.search(text or "")
        return match.group(1) if match else None
