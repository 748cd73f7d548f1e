"""A B→A upgrade the province approved is not 办结 yet: it waits for the national platform's acknowledgement (the
province reports the level change after confirming it, 桂建管〔2021〕4号), which may never come (a refused report is
a dead letter). The applicant is told of the decision in a decision's words (审核决定 + 审核决定书), not that the
case 已办理完毕; a temporary unlock, decided and only waiting for its own end date, keeps its 办结 notice."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import CaseDocument
from app.services.documents.render import document_html
from tests.documents.test_case_documents import download
from tests.notifications.test_applicant_notices import _notices
from tests.procedures.test_withdraw_after_decision import _approved_b_to_a
from tests.support.web import WebUser


def _documents(app: Flask, case_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(d.kind, d.title, document_html(d)) for d in db.session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.id))]


def test_an_approved_upgrade_waiting_for_the_national_platform_is_told_as_a_decision(
        app: Flask, as_user: Any) -> None:
    case = _approved_b_to_a(as_user)
    number = as_user("ent-nanning").case(case["id"])["number"]
    [notice] = _notices(app, "ent-nanning", case["id"])
    assert notice["kind"] == "applicant_decided"
    assert notice["title"] == f"【审核决定】{number} 确认提升为A级"
    assert "办结" not in notice["title"] and "办理完毕" not in notice["body"]
    assert "经自治区住建厅审核，决定：确认提升为A级" in notice["body"] and "尚未办结" in notice["body"]
    kinds = [(kind, title) for kind, title, _ in _documents(app, case["id"])]
    assert ("completion", "办结通知") not in kinds and ("decision", "审核决定书") in kinds
    [html] = [html for kind, _, html in _documents(app, case["id"]) if kind == "decision"]
    assert "办理完毕" not in html and "本机关决定：确认提升为A级" in html and "等待全国平台接收回执" in html
    [decision] = [d for d in _documents(app, case["id"]) if d[0] == "decision"]
    page = WebUser(app, "ent-nanning").login()
    with app.app_context():
        document_id = db.session.scalar(select(CaseDocument.id).where(CaseDocument.case_id == case["id"],
                                                                      CaseDocument.kind == "decision"))
    text = download(page, case["id"], int(document_id))
    assert "审核决定书" in text and "办理完毕" not in text and decision[1] == "审核决定书"
