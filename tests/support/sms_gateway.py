"""An SMS gateway on 127.0.0.1 that can be down: a real HTTP server speaking the gateways' JSON
(`POST {phone, content}`), answering `status` (503 while down, 200 when back) and keeping what it accepted
and how many requests reached it."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class SmsGateway:
    def __init__(self) -> None:
        self.status = 200
        self.requests = 0
        self.accepted: list[tuple[str, str]] = []  # (phone, content) of the messages answered 200
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="sms-gateway")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/sms"

    def answer(self, body: dict[str, Any]) -> int:
        with self._lock:
            self.requests += 1
            if self.status < 300:
                self.accepted.append((str(body.get("phone")), str(body.get("content"))))
            return self.status

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _handler(gateway: SmsGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
            except ValueError:
                body = {}
            status = gateway.answer(body if isinstance(body, dict) else {})
            data = json.dumps({"accepted": status < 300}).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet: it would log phones)
            return

    return Handler


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()
    try:
        yield gateway
    finally:
        gateway.stop()
