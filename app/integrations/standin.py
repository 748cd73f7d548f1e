"""A stand-in for the verifier vendor and the SMS gateway: a small HTTP server on 127.0.0.1, used by the
tests and the demo (where no GJY_VERIFIER_URL is set). It can be told to pass, fail, time out or be down
(`mode`), keeps the micro-payments it made and the messages it was given, and speaks the same HTTP as
`verifier.http.HttpVerifier` and `sms.http.HttpSmsGateway` (and the notification channel's SMS gateway)."""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

MODES = ("pass", "fail", "timeout", "down")
UNAVAILABLE = 503  # what every endpoint answers while the stand-in is down
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class StandIn:
    """The server and what it saw; `mode` decides the next answers: pass, fail (a refusal with a reason),
    timeout (no answer for `delay` seconds) or down (503 Service Unavailable, nothing kept: a gateway that is down
    until the mode is set back)."""

    _shared: ClassVar[StandIn | None] = None
    _shared_lock = threading.Lock()

    def __init__(self, fixed_amount_cents: int | None = None, delay: float = 3.0) -> None:
        self.mode = "pass"
        self.delay = delay
        self.fixed_amount_cents = fixed_amount_cents
        self.transfers: dict[str, int] = {}  # reference -> cents sent
        self.sms: list[tuple[str, str]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="gjy-standin")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def sms_url(self) -> str:
        """The SMS gateway's endpoint (`POST {phone, content}`)."""
        return f"{self.url}/sms"

    @classmethod
    def shared(cls) -> StandIn:
        """The process's stand-in for the demo: micro-payments of 0.01 元, so a newcomer knows the amount."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls(fixed_amount_cents=1)
            return cls._shared

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def last_code(self, phone: str) -> str | None:
        with self._lock:
            text = next((t for p, t in reversed(self.sms) if p == phone), "")
        match = _CODE.search(text)
        return match.group(1) if match else None

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON answer for a request: 503 to any while down, 404 to an unknown path."""
        with self._lock:
            self.requests.append((path, body))
        if self.mode == "down":
            return UNAVAILABLE, {"error": "unavailable"}
        found = self._found(path, body)
        return (200, found) if found is not None else (404, {"error": "not found"})

    def _found(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The answer of a service that is up; None for an unknown path."""
        if self.mode == "timeout":
            time.sleep(self.delay)
        if path == "/sms":
            with self._lock:
                self.sms.append((str(body.get("phone")), str(body.get("content"))))
            return {"accepted": True}
        if path not in ("/face", "/micro-payment", "/micro-payment/confirm", "/real-name"):
            return None
        if self.mode == "fail":
            return {"passed": False, "reason": "核验未通过（模拟）", "reference": ""}
        if path == "/micro-payment":
            reference = secrets.token_hex(8)
            with self._lock:
                self.transfers[reference] = self.fixed_amount_cents or secrets.randbelow(99) + 1
            return {"passed": True, "reference": reference}
        if path == "/micro-payment/confirm":
            with self._lock:
                sent = self.transfers.get(str(body.get("reference")))
            if sent is None or sent != body.get("amount_cents"):
                return {"passed": False, "reason": "打款金额不符"}
        return {"passed": True, "reference": secrets.token_hex(8)}


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
            except ValueError:
                body = {}
            if self.path == "/control":
                standin.mode = body.get("mode") if body.get("mode") in MODES else standin.mode
                status, answer = 200, {"mode": standin.mode}
            else:
                status, answer = standin.answer(self.path, body if isinstance(body, dict) else {})
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet: it would log phones)
            return

    return Handler
