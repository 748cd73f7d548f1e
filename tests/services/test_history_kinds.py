"""A case's history tells what moved it: a boundary event that caught an error is not a timer that fired."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from tests.support.procedure_files import deploy_folder
from tests.support.procedures import BPMN_DIR, FORMS_DIR

DIAGRAM = Path(__file__).resolve().parent.parent / "fixtures" / "history" / "error_boundary.bpmn"


def _deploy(app: Flask, tmp_path: Path) -> None:
    bpmn = tmp_path / "bpmn"
    shutil.copytree(BPMN_DIR, bpmn)
    shutil.copy(DIAGRAM, bpmn / DIAGRAM.name)
    deploy_folder(app, bpmn, FORMS_DIR)


def _submit(ent: Any, amount: int) -> dict[str, Any]:
    case = ent.start("error_boundary").json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋检测报告", "amount": amount}).status_code == 200
    return ent.case(case["id"])  # type: ignore[no-any-return]


def test_an_error_caught_by_a_boundary_event_is_recorded_as_such(app: Flask, as_user: Any, tmp_path: Path) -> None:
    _deploy(app, tmp_path)
    ent = as_user("ent-nanning")
    over = _submit(ent, 500)
    caught = [e for e in over["history"] if e["payload"].get("bpmn_id") == "over_limit"]
    assert [e["kind"] for e in caught] == ["error_caught"] and caught[0]["step"] == "金额超限"
    assert "timer_fired" not in [e["kind"] for e in over["history"]]
    assert [t["bpmn_id"] for t in over["open_tasks"]] == ["recheck"]
    fine = _submit(ent, 50)
    assert fine["status"] == "completed"
    assert not [e for e in fine["history"] if e["kind"] in ("error_caught", "timer_fired")]
