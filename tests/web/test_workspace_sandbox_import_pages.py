"""The import page of the workspace: a diagram exported from Camunda Modeler or SpiffArena is uploaded, what maps
is converted into a new draft, what does not is listed by element (id, name, what was dropped and why) in the
page's language; analysts and admins only."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ProcedureDraft

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "procedures" / "imports"


def _post(user: Any, files: list[tuple[bytes, str]], csrf: bool = True, **form: str) -> Any:
    data: dict[str, Any] = {**form, "files": [(io.BytesIO(content), name) for content, name in files]}
    if csrf:
        data["csrf_token"] = user.token
    return user.client.post("/workspace/import", content_type="multipart/form-data", data=data)


def _upload(user: Any, names: list[str], **form: str) -> Any:
    return _post(user, [((IMPORTS / name).read_bytes(), name) for name in names], **form)


def _rows(page: str, testid: str) -> dict[str, str]:
    """element id -> the text of its rows, of one of the result's tables."""
    table = page.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    rows: dict[str, str] = {}
    for m in re.finditer(r'<tr data-element="([^"]*)">(.*?)</tr>', table, re.S):
        rows[m.group(1)] = rows.get(m.group(1), "") + " | " + re.sub(r"<[^>]+>", " ", m.group(2))
    return rows


def test_a_camunda_export_becomes_a_draft_and_what_does_not_map_is_listed_by_element(web: Any, app: Flask) -> None:
    analyst = web("analyst")
    assert 'href="/workspace/import"' in analyst.html("/workspace")
    answer = _upload(analyst, ["camunda_export.bpmn"], case_prefix="cr", title="Camunda 审核导入")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page[:3000]
    assert 'data-source="camunda"' in page
    unmapped = _rows(page, "import-unmapped")
    assert "审核材料" in unmapped["Task_review"] and "camunda:candidateGroups" in unmapped["Task_review"]
    assert "谁办理由泳道在 bpmn/lanes.json 中映射的角色和范围决定" in unmapped["Task_review"]
    assert "camunda:topic" in unmapped["Task_register"]
    converted = _rows(page, "import-converted")
    assert "casePrefix → CR" in converted["camunda_review"]
    problems = _rows(page, "import-problems")
    assert "forms/review_submit.json" in problems["camunda_review"]  # its forms are still to be made
    link = re.search(r'href="(/workspace/camunda_review/drafts/(\d+))"', page)
    assert link, "no link to the new draft"
    with app.app_context():
        draft = db.session.get(ProcedureDraft, int(link.group(2)))
        assert draft is not None and draft.title == "Camunda 审核导入" and draft.procedure_key == "camunda_review"
        assert "camunda:" not in draft.files["bpmn/camunda_export.bpmn"]
        audited = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "procedure.imported"))
        assert audited is not None and audited.object_id == str(draft.id)
    assert 'id="modeler-data"' in analyst.html(link.group(1))  # opens in the modeler


def test_the_lists_speak_english_in_the_english_ui(web: Any) -> None:
    analyst = web("analyst")
    analyst.get("/lang/en")
    page = _upload(analyst, ["camunda_export.bpmn"], case_prefix="CR").get_data(as_text=True)
    unmapped = _rows(page, "import-unmapped")
    assert "not converted" in unmapped["Task_review"] and "Candidate groups" in unmapped["Task_review"]
    assert "谁办理" not in unmapped["Task_review"]


def test_a_spiffarena_export_and_a_zeebe_one_import(web: Any) -> None:
    analyst = web("analyst")
    for name, source in (("spiffarena_export.bpmn", "spiffarena"), ("zeebe_export.bpmn", "zeebe")):
        page = _upload(analyst, [name], case_prefix="IM").get_data(as_text=True)
        assert f'data-source="{source}"' in page, page[:2000]


def test_a_file_that_is_not_a_diagram_is_refused_and_no_draft_is_made(web: Any, app: Flask) -> None:
    analyst = web("analyst")
    refused = _post(analyst, [(b"%PDF-1.4", "scan.pdf")])
    assert refused.status_code == 422 and "只能导入 .bpmn、.dmn 和 .json 文件" in refused.get_data(as_text=True)
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    bomb = _post(analyst, [(dtd, "bomb.bpmn")])
    assert bomb.status_code == 422 and "DTD" in bomb.get_data(as_text=True)
    no_token = _post(analyst, [((IMPORTS / "camunda_export.bpmn").read_bytes(), "camunda_export.bpmn")], csrf=False)
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ProcedureDraft).where(ProcedureDraft.procedure_key == "camunda_review")) is None
