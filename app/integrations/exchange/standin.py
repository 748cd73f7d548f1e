"""Stand-ins for the external systems: one small HTTP server per system on 127.0.0.1, used by the tests,
the benchmark and the demo (where no GJY_EXCHANGE_<SYSTEM>_URL is set). Each records what it receives,
applies a message once per Idempotency-Key (`effects`), and can be told (attributes, or POST /control) to
fail a share of calls (503, no effect), time out on a share (the effect is applied, the answer comes after
`delay` seconds: the sender cannot know), answer slowly, answer garbage, refuse (422, or `refuse_status`: 401
for a rotated credential) or hold every answer until released (a sender killed while it waits)."""
from __future__ import annotations

import json
import random
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from app.integrations.exchange.systems import SYSTEMS

CONTROLS = ("fail_share", "timeout_share", "delay", "slow", "garbage", "refuse", "refuse_status")


class ExchangeStandIn:
    _shared: ClassVar[dict[str, ExchangeStandIn]] = {}
    _shared_lock = threading.Lock()

    def __init__(self, system: str, port: int = 0, seed: int | None = None) -> None:
        self.system = system
        self.fail_share = 0.0      # share of calls answered 503 without effect
        self.timeout_share = 0.0   # share of calls applied, then answered after `delay` seconds
        self.delay = 3.0
        self.slow = 0.0            # seconds before every answer
        self.garbage = False       # 200 with a body that is not JSON (after applying)
        self.refuse = False        # every call answered `refuse_status` without effect
        self.refuse_status = 422   # 422: the message itself is refused; 401: our credential is
        self.effects: dict[str, dict[str, Any]] = {}   # idempotency key -> the message first applied
        self.order: list[str] = []                     # keys in the order their effect happened
        self.calls = 0
        self.held = threading.Event()      # set: a request is waiting in hold()
        self._release = threading.Event()
        self._release.set()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._called = threading.Condition(self._lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name=f"gjy-standin-{system}")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @classmethod
    def shared(cls, system: str) -> ExchangeStandIn:
        """The process's stand-in for a system (the demo's)."""
        with cls._shared_lock:
            if system not in cls._shared:
                cls._shared[system] = cls(system)
            return cls._shared[system]

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def hold(self) -> None:
        """Answer nothing until release(): every request is applied, then waits (held is set)."""
        self.held.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def wait_for_calls(self, count: int, timeout: float = 30) -> bool:
        """Block until `count` calls have arrived (False if they did not within `timeout` seconds)."""
        with self._called:
            return self._called.wait_for(lambda: self.calls >= count, timeout)

    def reset(self) -> None:
        with self._lock:
            self.effects.clear()
            self.order.clear()
            self.calls = 0

    @property
    def effect_count(self) -> int:
        with self._lock:
            return len(self.effects)

    def receive(self, key: str, body: dict[str, Any]) -> tuple[int, bytes]:
        """Apply a message (once per key) and the answer (status, body) to send."""
        with self._lock:
            self.calls += 1
            draw = self._random.random()
            self._called.notify_all()
        if self.slow:
            time.sleep(self.slow)
        if self.refuse:
            return self.refuse_status, _json({"error": "报文被拒绝（模拟）"})
        if draw < self.fail_share:
            return 503, _json({"error": "服务暂不可用（模拟）"})
        with self._lock:
            duplicate = key in self.effects
            if not duplicate:
                self.effects[key] = {**body, "reference": f"{self.system}-{secrets.token_hex(6)}"}
                self.order.append(key)
            reference = self.effects[key]["reference"]
        if not self._release.is_set():
            self.held.set()
            self._release.wait()
        if draw < self.fail_share + self.timeout_share:
            time.sleep(self.delay)
        if self.garbage:
            return 200, b"<html>not json</html>"
        return 200, _json({"reference": reference, "duplicate": duplicate})

    def read(self, path: str) -> tuple[int, bytes]:
        """GET /health, GET /received (what had effect, in order)."""
        if path == "/health":
            return 200, _json({"ok": True, "system": self.system})
        if path == "/received":
            with self._lock:
                received = [self.effects[key] for key in self.order]
            return 200, _json({**self.status(), "messages": received})
        return 404, _json({"error": "not found"})

    def control(self, body: dict[str, Any]) -> dict[str, Any]:
        for name in CONTROLS:
            if name in body:
                setattr(self, name, type(getattr(self, name))(body[name]))
        if body.get("reset"):
            self.reset()
        return self.status()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"system": self.system, "calls": self.calls, "effects": len(self.effects),
                    **{name: getattr(self, name) for name in CONTROLS}}


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _handler(standin: ExchangeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._answer(*standin.read(self.path))

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length).decode("utf-8") or "{}")
            except ValueError:
                body = None
            if self.path == "/control" and isinstance(body, dict):
                self._answer(200, _json(standin.control(body)))
                return
            key = self.headers.get("Idempotency-Key", "")
            if self.path != "/messages" or not isinstance(body, dict) or not key:
                self._answer(400, _json({"error": "需要 JSON 报文和 Idempotency-Key"}))
                return
            try:
                self._answer(*standin.receive(key, body))
            except (BrokenPipeError, ConnectionResetError):  # the sender gave up (timeout, killed)
                return

        def _answer(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet)
            return

    return Handler


def start_all(base_port: int = 0) -> dict[str, ExchangeStandIn]:
    """A stand-in for every system that receives messages (the CLI's `flask exchange standins`)."""
    systems = [key for key, system in SYSTEMS.items() if system.outbound]
    return {key: ExchangeStandIn(key, base_port + i if base_port else 0) for i, key in enumerate(systems)}
