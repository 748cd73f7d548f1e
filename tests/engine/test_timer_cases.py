"""Through the whole step pipeline: a timer whose value, computed from what the applicant entered, cannot be
scheduled puts the case in 异常 with the timer's name and a Chinese message; the request itself succeeds."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.engine.bundles import with_boundary_timer
from tests.support.procedure_files import deploy_folder
from tests.support.procedures import copy_fixture


def test_a_timer_value_refused_at_run_time_shows_on_the_case(app: Flask, as_user: Any, tmp_path: Path) -> None:
    bpmn, forms = copy_fixture(tmp_path)
    diagram = bpmn / "material_review.bpmn"
    # deploy evaluates it on the sample amount (1): "P1Y" is fine; a case with amount 1000 is not
    diagram.write_text(with_boundary_timer("timeDuration", '"P%dY" % amount')(diagram.read_text("utf-8")), "utf-8")
    deploy_folder(app, bpmn, forms)
    ent = as_user("ent-nanning")
    case = ent.start("material_review").json
    completed = ent.complete(case["open_tasks"][0]["id"], {"title": "材料", "amount": 1000})
    assert completed.status_code == 200, completed.json
    shown = as_user("admin").case(case["id"])
    assert shown["status"] == "error", shown
    assert "审核超时" in shown["error_message"] and "超过 100 年" in shown["error_message"]
