"""A field internal to the authorities on the applicant's own task: the reviewer's return of the test procedure
material_review with an internal remark beside the comment the applicant must read. The applicant's returned task
(its page: what was asked, the case so far; the API's task with the case's data) shows the comment, never the
remark; the reviewer's pages still do."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from tests.support import procedures
from tests.support.procedure_files import deploy_folder
from tests.support.web import WebUser

ASKED = "请补充合同盖章页"
REMARK = "该企业去年有类似材料造假记录，注意核对原件（内部备注）"


def _with_internal_remark(app: Flask, tmp_path: Path) -> None:
    """Deploy material_review with its review form given an internal remark."""
    bpmn, forms = tmp_path / "bpmn", tmp_path / "forms"
    shutil.copytree(procedures.BPMN_DIR, bpmn)
    shutil.copytree(procedures.FORMS_DIR, forms)
    schema = json.loads((forms / "review_decision.json").read_text("utf-8"))
    schema["properties"]["remark"] = {"type": "string", "title": "内部备注", "maxLength": 500, "x-internal": True}
    (forms / "review_decision.json").write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    procedures.OUTAGE["remaining"] = 0
    deploy_folder(app, bpmn, forms)


def test_the_applicants_returned_task_never_shows_the_reviewers_internal_remark(
        app: Flask, as_user: Any, tmp_path: Path) -> None:
    _with_internal_remark(app, tmp_path)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    started = ent.start("material_review", {})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    mine = ent.task_for(case_id, "mine")
    assert mine is not None and ent.complete(mine["id"], {"title": "合同材料", "amount": 100}).status_code == 200
    review = city.task_for(case_id)
    assert review is not None and city.claim(review["id"]).status_code == 200
    returned = city.complete(review["id"], {"decision": "reject", "comment": ASKED, "remark": REMARK})
    assert returned.status_code == 200, returned.json
    again = ent.task_for(case_id, "mine") or ent.task_for(case_id)
    assert again is not None
    page = WebUser(app, "ent-nanning").login().html(f"/tasks/{again['id']}")
    assert ASKED in page and REMARK not in page and "内部备注" not in page
    detail = ent.get(f"/api/v1/tasks/{again['id']}").json
    assert detail["data"]["comment"] == ASKED and "remark" not in detail["data"]
    assert REMARK not in json.dumps(ent.case(case_id), ensure_ascii=False)  # the case itself (already so)
    assert REMARK in WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
