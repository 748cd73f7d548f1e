"""A B→A upgrade the province approved is told as a decision (【审核决定】, 审核决定书); it completes later, when the
national platform acknowledges the reported level. Then, and not before, the applicant is told 【办结】 on every
channel he is told the decision on, and gets the 办结通知 (issued by the province, which decided)."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.jobs.exchange import dispatch_outbox
from app.models import CaseDocument, Notification, NotificationDelivery
from app.services.documents.render import document_html
from tests.notifications.test_applicant_notices import _notices
from tests.procedures.test_withdraw_after_decision import _approved_b_to_a


def _channels(app: Flask, kind: str, case_id: int) -> list[tuple[int, str]]:
    """(user, channel) of each SMS / e-mail queued for the case's notices of this kind."""
    with app.app_context():
        return sorted(db.session.execute(
            select(Notification.user_id, NotificationDelivery.channel)
            .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
            .where(Notification.case_id == case_id, Notification.kind == kind)))


def _documents(app: Flask, case_id: int) -> list[CaseDocument]:
    with app.app_context():
        found = list(db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id)
                                        .order_by(CaseDocument.id)))
        for document in found:
            document.content["html"] = document_html(document)
        db.session.expunge_all()
        return found


def test_the_acknowledged_upgrade_is_told_done_with_its_completion_notice(app: Flask, as_user: Any) -> None:
    case = _approved_b_to_a(as_user)
    ent = as_user("ent-nanning")
    number = ent.case(case["id"])["number"]
    assert [n["kind"] for n in _notices(app, "ent-nanning", case["id"])] == ["applicant_decided"]
    assert "completion" not in [d.kind for d in _documents(app, case["id"])]

    with app.app_context():
        assert dispatch_outbox() == 1  # the national platform acknowledges the report: the case completes
    assert ent.case(case["id"])["status"] == "completed"

    decided, done = _notices(app, "ent-nanning", case["id"])
    assert decided["kind"] == "applicant_decided" and done["kind"] == "applicant_done"
    assert done["title"] == f"【办结】{number} 确认提升为A级"
    assert "已办理完毕：确认提升为A级" in done["body"]
    assert done["payload"]["link"] == f"/cases/{case['id']}"
    told = _channels(app, "applicant_done", case["id"])
    assert told and told == _channels(app, "applicant_decided", case["id"])  # every channel he chose, as before

    with app.app_context():  # nothing more to tell: the acknowledgement came once
        assert dispatch_outbox() == 0
    assert len(_notices(app, "ent-nanning", case["id"])) == 2
    assert [d.kind for d in _documents(app, case["id"])].count("completion") <= 1


def test_the_acknowledged_upgrade_gets_its_completion_notice_document(app: Flask, as_user: Any) -> None:
    case = _approved_b_to_a(as_user)
    with app.app_context():
        assert dispatch_outbox() == 1
    decision, completion = [d for d in _documents(app, case["id"]) if d.kind in ("decision", "completion")]
    assert (completion.kind, completion.title) == ("completion", "办结通知") and completion.id > decision.id
    assert completion.issuer_name == decision.issuer_name  # the province, which decided
    assert "办理完毕" in completion.content["html"] and "确认提升为A级" in completion.content["html"]

