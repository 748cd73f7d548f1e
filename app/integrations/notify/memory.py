"""In-process stand-in for tests and the demo: keeps what was sent, can be told to fail."""
from __future__ import annotations

import threading
from typing import ClassVar

from app.integrations.notify.base import OutgoingMessage


class MemoryChannel:
    _shared: ClassVar[MemoryChannel | None] = None

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []
        self.fail_next = 0
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> MemoryChannel:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def send(self, message: OutgoingMessage) -> None:
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                raise ConnectionError("injected gateway failure")
            self.sent.append(message)
