"""The client side of bench/http_load.py: one personnel-unlock lifecycle with one 补正 return over HTTP,
many clients at once (one thread each), and the same lifecycle run by bare SpiffWorkflow in memory.

A lifecycle (19 requests; every answer's status is checked, a wrong one fails the lifecycle):
  ent-nanning   1 start      POST /api/v1/cases {procedure: personnel_unlock, data: {}}           201
                2 list       GET  /api/v1/tasks?view=mine (its form to fill, claimed at the start)
                3 upload     POST /api/v1/cases/{id}/attachments  (解锁申请表, multipart `file`, a PDF) 201
                4 upload     POST /api/v1/cases/{id}/attachments  (行政处罚决定书)                        201
                5 complete   POST /api/v1/tasks/{t}/complete  kind=penalty, one fresh lock, both files
  city-nanning  6 list       GET  /api/v1/tasks?view=claimable
                7 claim      POST /api/v1/tasks/{r}/claim
                8 task_read  GET  /api/v1/tasks/{r}  (the form, with the caller's choices)
                9 complete   POST /api/v1/tasks/{r}/complete  decision=return, comment, missing_items=[penalty_files]
  ent-nanning  10 list       GET  /api/v1/tasks?view=claimable (the form comes back unclaimed)
               11 claim      POST /api/v1/tasks/{t2}/claim
               12 task_read  GET  /api/v1/tasks/{t2}
               13 upload     POST /api/v1/cases/{id}/attachments  (a new 行政处罚决定书)                   201
               14 complete   POST /api/v1/tasks/{t2}/complete  the same request with the new file
  city-nanning 15 list, 16 claim, 17 task_read, 18 complete decision=approve (the lock is released)
  ent-nanning  19 case_read  GET  /api/v1/cases/{id}: must say status=completed
Lists ask for `procedure=personnel_unlock&per_page=100` and pick the case's task by case id.
"""
from __future__ import annotations

import http.client
import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from load_servers import CITY_USER, ENTERPRISE_USER

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROCEDURE = "personnel_unlock"
KINDS = ("start", "list", "upload", "claim", "task_read", "complete", "case_read")
MINE = f"/api/v1/tasks?view=mine&procedure={PROCEDURE}&per_page=100"
CLAIMABLE = f"/api/v1/tasks?view=claimable&procedure={PROCEDURE}&per_page=100"
REASON = "项目经理因行政处罚被暂扣注册证书，企业须更换项目经理，申请解除其项目锁定"
RETURN = {"decision": "return", "comment": "行政处罚决定书不清晰，请补正", "missing_items": ["penalty_files"]}
APPROVE = {"decision": "approve"}


class LifecycleFailed(Exception):
    """A request answered other than expected (or not at all)."""


@dataclass
class Sample:
    kind: str
    seconds: float
    statements: int | None = None  # X-Bench-Statements, when the server counts
    commits: int | None = None
    code: str | None = None        # X-Bench-Code: the folder of the `app` package that answered


@dataclass
class Client:
    """One simulated user agent: one HTTP connection, kept alive where the server allows it (gunicorn's sync
    workers close every connection after the answer; http.client then reconnects on the next request)."""

    port: int
    tokens: dict[str, str]
    samples: list[Sample] = field(default_factory=list)
    requests: int = 0
    conn: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def call(self, kind: str, user: str, method: str, path: str, expect: int = 200, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        payload = None
        if isinstance(body, tuple):  # (filename, bytes): one multipart field `file`
            payload, headers["Content-Type"] = _multipart(*body)
        elif body is not None:
            payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        self.requests += 1
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            raise LifecycleFailed(f"{kind} {method} {path} as {user}: {type(exc).__name__}: {exc}") from exc
        elapsed = time.perf_counter() - started
        if response.status != expect:
            raise LifecycleFailed(f"{kind} {method} {path} as {user}: HTTP {response.status} (expected {expect}) "
                                  f"{answer[:400].decode(errors='replace').strip()}")
        self.samples.append(Sample(kind, elapsed, _int_header(response, "X-Bench-Statements"),
                                   _int_header(response, "X-Bench-Commits"), response.getheader("X-Bench-Code")))
        return json.loads(answer) if answer else None

    def close(self) -> None:
        self.conn.close()


def _int_header(response: http.client.HTTPResponse, name: str) -> int | None:
    value = response.getheader(name)
    return int(value) if value is not None else None


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _task_of(page: dict[str, Any], case_id: int, bpmn_id: str, who: str) -> str:
    for task in page["items"]:
        if task["case_id"] == case_id and task["bpmn_id"] == bpmn_id:
            return str(task["id"])
    raise LifecycleFailed(f"{who}: no {bpmn_id} task of case {case_id} in the list ({page['total']} listed)")


def _upload(client: Client, case_id: int, filename: str) -> str:
    return str(client.call("upload", ENTERPRISE_USER, "POST", f"/api/v1/cases/{case_id}/attachments", 201,
                           (filename, PDF))["id"])


def _review(client: Client, case_id: int, decision: dict[str, Any]) -> None:
    review = _task_of(client.call("list", CITY_USER, "GET", CLAIMABLE), case_id, "review_request", CITY_USER)
    client.call("claim", CITY_USER, "POST", f"/api/v1/tasks/{review}/claim", 200, {})
    client.call("task_read", CITY_USER, "GET", f"/api/v1/tasks/{review}")
    client.call("complete", CITY_USER, "POST", f"/api/v1/tasks/{review}/complete", 200, {"data": decision})


def lifecycle(client: Client, lock_id: int) -> None:
    """One personnel unlock of `lock_id` with one return for supplement; raises LifecycleFailed."""
    ent = ENTERPRISE_USER
    case_id = int(client.call("start", ent, "POST", "/api/v1/cases", 201, {"procedure": PROCEDURE, "data": {}})["id"])
    form = _task_of(client.call("list", ent, "GET", MINE), case_id, "submit_request", ent)
    request = {"kind": "penalty", "lock_ids": [lock_id], "reason": REASON,
               "application_files": [_upload(client, case_id, "unlock-application.pdf")],
               "penalty_files": [_upload(client, case_id, "penalty-decision.pdf")]}
    client.call("complete", ent, "POST", f"/api/v1/tasks/{form}/complete", 200, {"data": request})
    _review(client, case_id, RETURN)
    again = _task_of(client.call("list", ent, "GET", CLAIMABLE), case_id, "submit_request", ent)
    client.call("claim", ent, "POST", f"/api/v1/tasks/{again}/claim", 200, {})
    client.call("task_read", ent, "GET", f"/api/v1/tasks/{again}")
    supplement = {**request, "penalty_files": [_upload(client, case_id, "penalty-decision-legible.pdf")]}
    client.call("complete", ent, "POST", f"/api/v1/tasks/{again}/complete", 200, {"data": supplement})
    _review(client, case_id, APPROVE)
    status = client.call("case_read", ent, "GET", f"/api/v1/cases/{case_id}")["status"]
    if status != "completed":
        raise LifecycleFailed(f"case {case_id} ends {status!r}, expected 'completed'")


@dataclass
class Run:
    """What one measured run of many clients did."""

    completed: int
    failures: list[str]
    seconds: float
    requests: int
    samples: list[Sample]


def run_clients(port: int, tokens: dict[str, str], lock_ids: list[int], clients: int) -> Run:
    """`len(lock_ids)` lifecycles shared by `clients` threads (each takes the next lock until none is left)."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for lock_id in lock_ids:
        work.put(lock_id)
    agents = [Client(port, tokens) for _ in range(clients)]
    failures: list[str] = []

    def drive(agent: Client) -> None:
        while True:
            try:
                lock_id = work.get_nowait()
            except queue.Empty:
                return
            try:
                lifecycle(agent, lock_id)
            except LifecycleFailed as exc:
                failures.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - an unexpected answer shape is a failed lifecycle too
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=drive, args=(a,), daemon=True) for a in agents]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    for agent in agents:
        agent.close()
    return Run(len(lock_ids) - len(failures), failures, seconds, sum(a.requests for a in agents),
               [s for a in agents for s in a.samples])


# -- bare SpiffWorkflow ---------------------------------------------------------------------------------
class BareEngine:
    """bpmn/personnel_unlock.bpmn run by SpiffWorkflow's public API in memory, with the same form data, the
    service tasks answered by a stub, and one serialize + deserialize per step (as bench/engine.py does)."""

    def __init__(self, bpmn: Path) -> None:
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

        class StubServices(TaskDataEnvironment):
            """What the gateways need: bind_case routes the case, release_locks releases the lock."""

            def call_service(self, context: Any, **kwargs: Any) -> str:
                params = {k: v["value"] for k, v in kwargs["operation_params"].items()}
                if kwargs["operation_name"] == "unlock.bind_case":
                    return json.dumps({"project_id": 1, "project_name": "压测工程", "region_code": "450100"})
                return json.dumps({"released": params.get("lock_ids"), "ended_temporary": []})

        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(bpmn))
        self.spec, self.subprocesses = parser.get_spec(PROCEDURE), parser.get_subprocess_specs(PROCEDURE)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.engine = PythonScriptEngine(environment=StubServices())

    def _step(self, state: str, data: dict[str, Any]) -> str:
        from SpiffWorkflow.util.task import TaskState

        workflow = self.serializer.deserialize_json(state)
        workflow.script_engine = self.engine
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        return str(self.serializer.serialize_json(workflow))

    def lifecycle(self, lock_id: int) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow

        request = {"kind": "penalty", "lock_ids": [lock_id], "reason": REASON,
                   "application_files": [str(uuid.uuid4())], "penalty_files": [str(uuid.uuid4())]}
        workflow = BpmnWorkflow(self.spec, self.subprocesses, script_engine=self.engine)
        workflow.do_engine_steps()
        state = self.serializer.serialize_json(workflow)
        for data in (request, RETURN, {**request, "penalty_files": [str(uuid.uuid4())]}, APPROVE):
            state = self._step(state, data)
        if not self.serializer.deserialize_json(state).is_completed():
            raise LifecycleFailed("the bare workflow did not complete")

    def run(self, count: int) -> float:
        """Seconds for `count` lifecycles, one after the other in this thread."""
        started = time.perf_counter()
        for lock_id in range(count):
            self.lifecycle(lock_id + 1)
        return time.perf_counter() - started
