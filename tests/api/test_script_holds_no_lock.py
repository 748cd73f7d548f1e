"""A script over its budget fails its step with a clear message and holds no lock while it runs: the case's
row stays writable by everyone else (a timer worker, a colleague's claim) for the whole second the script
may burn, and the request itself answers instead of failing with a server error."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.support.api import ApiUser
from tests.support.procedure_files import deploy_folder
from tests.support.procedures import copy_fixture

# A loop that burns its whole budget (work units or the 1 s CPU deadline, whichever the machine reaches first).
BURNER = 'total = 0\nfor i in range(900000):\n    total = total + len(str(i) + "x" * 40)'


def _writes_on_the_case_row(url: str, case_id: int, running: threading.Event) -> tuple[int, list[str]]:
    """While `running` is set: try, again and again, to update the case's row from another connection,
    giving up on a lock after 200 ms. Returns how many tries ran and the lock waits that failed."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 0.2} if url.startswith("sqlite") else {})
    tries, refused = 0, []
    try:
        while running.is_set():
            try:
                with engine.begin() as conn:
                    if engine.dialect.name == "postgresql":
                        conn.execute(text("SET LOCAL lock_timeout = '200ms'"))
                    conn.execute(text("UPDATE cases SET id = id WHERE id = :id"), {"id": case_id})
                    conn.rollback()
                tries += 1
            except OperationalError as exc:
                refused.append(str(exc.orig))
            time.sleep(0.05)
    finally:
        engine.dispose()
    return tries, refused


@pytest.mark.committing  # the request and the probe are two connections on one database
def test_a_script_over_budget_holds_no_lock_on_the_case(app: Flask, as_user: Callable[[str], ApiUser],
                                                        tmp_path: Any) -> None:
    bpmn, forms = copy_fixture(tmp_path)
    diagram = bpmn / "material_review.bpmn"
    diagram.write_text(diagram.read_text("utf-8").replace(
        'round_no = round_no + 1\nlabel = "第%d轮" % round_no', BURNER.replace('"', "&quot;")), "utf-8")
    deploy_folder(app, bpmn, forms)
    ent = as_user("ent-nanning")
    case = ent.start("material_review").json
    answers: list[Any] = []
    running = threading.Event()
    running.set()

    def complete() -> None:
        try:
            answers.append(ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 3}))
        finally:
            running.clear()

    worker = threading.Thread(target=complete)
    worker.start()
    tries, refused = _writes_on_the_case_row(app.config["SQLALCHEMY_DATABASE_URI"], case["id"], running)
    worker.join(timeout=60)

    assert refused == [], f"the case row was locked while the script ran: {refused[:3]}"
    assert tries >= 3, "the probe should have written the case row several times during the script"
    assert answers and answers[0].status_code == 200, answers and answers[0].json
    shown = as_user("admin").case(case["id"])
    assert shown["status"] == "error", shown
    assert re.match(r"记录轮次: 脚本(运算量超出限制|运行超时)", shown["error_message"]), shown["error_message"]
