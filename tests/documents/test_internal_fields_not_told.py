"""What an authority's decision tells the applicant (the notification, the 处理决定书 listing the form's other answers)
never includes a field internal to the authorities: a spot check's decision form given an internal remark."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from tests.documents.test_case_documents import documents_of, download
from tests.procedures.steps import act_ok, upload
from tests.support.procedure_files import ROOT, deploy_folder
from tests.support.web import WebUser

REMARK = "处长交代：该企业另有线索，暂不公开（内部备注）"


def _spot_check_with_internal_remark(app: Flask, tmp_path: Path) -> None:
    bpmn, forms = tmp_path / "bpmn", tmp_path / "forms"
    shutil.copytree(ROOT / "bpmn", bpmn, ignore=shutil.ignore_patterns("*.md", "screenshots"))
    shutil.copytree(ROOT / "forms", forms)
    schema = json.loads((forms / "spot_decision.json").read_text("utf-8"))
    schema["properties"]["internal_remark"] = {"type": "string", "title": "内部备注", "title_en": "Internal remark",
                                               "maxLength": 500, "x-internal": True}
    (forms / "spot_decision.json").write_text(json.dumps(schema, ensure_ascii=False), "utf-8")
    deploy_folder(app, bpmn, forms)


def test_a_sanction_never_tells_the_enterprise_the_internal_remark(app: Flask, as_user: Any, tmp_path: Path) -> None:
    _spot_check_with_internal_remark(app, tmp_path)
    city, ent = as_user("city-nanning"), as_user("ent-nanning")
    drawn = city.post("/api/v1/spot-checks/draws", {"sample_size": 1, "exclude_months": 0})
    assert drawn.status_code == 201, drawn.json
    [case_id] = drawn.json["case_ids"]
    act_ok(city, case_id, {"finding": "false_data", "findings": "合同金额与发票不符",
                           "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
    act_ok(ent, case_id, {"statement": "合同金额录入时多写一位，系笔误"})
    act_ok(city, case_id, {"decision": "confirm", "serious": False, "deduction": 5, "internal_remark": REMARK,
                           "notice_text": "经核查，该企业录入的业绩合同金额虚报，予以通报批评。"})
    [document] = documents_of(app, case_id)
    text = download(WebUser(app, "ent-nanning").login(), case_id, document["id"])
    assert "扣减诚信分：5" in text and REMARK not in text and "内部备注" not in text
    told = json.dumps(ent.get("/api/v1/notifications?per_page=100").json, ensure_ascii=False)
    assert "认定录入虚假信息" in told  # the enterprise was told of the decision
    assert REMARK not in told and "内部备注" not in told
    assert REMARK not in json.dumps(ent.case(case_id), ensure_ascii=False)
