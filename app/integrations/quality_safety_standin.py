"""A stand-in for the quality-and-safety supervision system: a small HTTP server on 127.0.0.1 that answers
`GET /permits/{number}` from its `projects` (the demo's permits to start with; tests add their own), and can be
told to fail (`mode = "fail"`: 503) or time out (`mode = "timeout"`), as `app.integrations.standin` does for
the verifier. It records the requests it saw."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

NANNING_CONTRACTOR = {"credit_code": "91450100MA5KAB1239", "name": "广西邕城建设集团有限公司"}
NANNING_SUPERVISOR = {"credit_code": "91450100MA5YXJ321G", "name": "广西邕州工程监理有限公司"}
NANNING_OWNER = {"credit_code": "91450100MA5NCT780U", "name": "南宁市城市建设投资集团有限公司"}

# The demo's supervised projects (services/demo.py seeds the enterprises, persons and the construction unit).
DEMO_PROJECTS: dict[str, dict[str, Any]] = {
    "450103202512100301": {
        "permit_number": "450103202512100301", "project_code": "4501032025Z0301", "name": "南宁五象新区第十二小学工程",
        "region_code": "450103", "construction_unit": NANNING_OWNER, "supervision_number": "JD450103-2025-118",
        "scale": "建筑面积 24000 平方米", "investment": "9800.00",
        "participants": [{"role": "construction", **NANNING_CONTRACTOR}, {"role": "supervision", **NANNING_SUPERVISOR}],
        "key_personnel": [
            {"role": "project_manager", "id_number": "450107199201050034", "name": "梁海",
             "credit_code": NANNING_CONTRACTOR["credit_code"]},
            {"role": "chief_supervisor", "id_number": "450107198009090082", "name": "韦明",
             "credit_code": NANNING_SUPERVISOR["credit_code"]}],
        "stages": [{"stage": "监督注册", "date": "2025-12-01"}, {"stage": "施工许可", "date": "2025-12-10"}]},
}
MODES = ("pass", "fail", "timeout")


class QualitySafetyStandIn:
    _shared: ClassVar[QualitySafetyStandIn | None] = None
    _shared_lock = threading.Lock()

    def __init__(self, delay: float = 3.0) -> None:
        self.mode = "pass"
        self.delay = delay
        self.projects: dict[str, dict[str, Any]] = json.loads(json.dumps(DEMO_PROJECTS))
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="gjy-quality-safety")
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @classmethod
    def shared(cls) -> QualitySafetyStandIn:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def answer(self, path: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append(path)
        if self.mode == "timeout":
            time.sleep(self.delay)
        if self.mode == "fail":
            return 503, {"error": "系统维护中（模拟）"}
        if not path.startswith("/permits/"):
            return 404, {"error": "not found"}
        project = self.projects.get(urllib.parse.unquote(path.removeprefix("/permits/")))
        return (200, project) if project is not None else (404, {"error": "未找到该施工许可证号"})


def _handler(standin: QualitySafetyStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            status, answer = standin.answer(self.path)
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (quiet)
            return

    return Handler
