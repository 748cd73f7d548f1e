"""The applicant is told of 退回补正 (with the one-time list and a date in working days), of a refusal and of
办结: in-app at once, then by SMS (the HTTP gateway, answered by the stand-in) and by e-mail (a real SMTP
server on 127.0.0.1) when the delivery job runs after the commit; a failing channel is retried and never
touches the other channel or the in-app notice."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.jobs.notify import deliver_channel_messages
from app.models import CaseDocument, Notification, NotificationDelivery, Person, User
from app.services.demo import DEMO_PHONES
from app.services.identity.accounts import create_individual
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of, approve_temporary_unlock
from tests.support.deadlines import local
from tests.support.web import WebUser

ENT_MAIL = "ent-nanning@demo.gjy.example"


def _unlock_submitted(app: Flask, ent: Any, name: str = "陆伟") -> int:
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {"kind": "penalty", "lock_ids": [_lock_of(app, name)], "reason": "项目经理受行政处罚，须更换",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "penalty_files": [upload(ent, case_id, "处罚决定书.pdf")]})
    return case_id


def _notices(app: Flask, username: str, case_id: int | None = None) -> list[dict[str, Any]]:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                             Notification.kind.like("applicant_%"))
                                  .order_by(Notification.id))
        return [{"kind": n.kind, "title": n.title, "body": n.body, "case_id": n.case_id, "task_id": n.task_id,
                 "payload": dict(n.payload)} for n in rows if case_id is None or n.case_id in (case_id, None)]


def _deliveries(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(d.channel, d.status, d.address) for d in db.session.scalars(
            select(NotificationDelivery).order_by(NotificationDelivery.id))]


def _deliver(app: Flask) -> int:
    with app.app_context():
        return deliver_channel_messages()


def test_return_for_supplement_reaches_the_applicant_in_app_by_sms_and_by_e_mail(
        app: Flask, as_user: Any, channels: dict[str, Any]) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")):  # a Monday
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰，申请表缺公章",
                               "missing_items": ["penalty_files", "application_files"]})
    number = ent.case(case_id)["number"]
    task = ent.task_for(case_id)
    [notice] = _notices(app, "ent-nanning", case_id)
    assert notice["kind"] == "applicant_supplement" and notice["task_id"] == task["id"]
    assert notice["title"] == f"【补正告知】{number} 需补正材料"
    assert notice["payload"]["items"] == ["行政处罚决定书",
                                          "解锁申请表（加盖企业公章，履职变更须另有建设、监理单位盖章）扫描件"]
    # 10 working days after Monday 2 November: 3-6, 9-13, 16 November
    assert notice["payload"]["due_date"] == "2026-11-16" and notice["payload"]["due_within"] == "10 个工作日"
    assert "请于 2026-11-16 前（10 个工作日内）补正" in notice["body"]
    assert [(c, s) for c, s, _ in _deliveries(app)] == [("sms", "pending"), ("email", "pending")]  # not yet sent

    assert _deliver(app) == 2  # the job, after the commit
    inbox, stand_in = channels["inbox"], channels["stand_in"]
    [mail] = inbox.to(ENT_MAIL)
    assert mail["Subject"] == f"【桂建云】【补正告知】{number} 需补正材料"
    text = mail.get_content()
    for line in ("需补正以下材料（一次性告知）", "1. 行政处罚决定书", "2. 解锁申请表",
                 "审核意见：处罚决定书不清晰，申请表缺公章",
                 "请于 2026-11-16 前（10 个工作日内）补正后重新提交", f"办理：https://gjy.example/tasks/{task['id']}"):
        assert line in text
    sms = [t for p, t in stand_in.sms if p == DEMO_PHONES["ent-nanning"] and task["id"] in t]
    assert len(sms) == 1 and "需补正：行政处罚决定书" in sms[0] and f"https://gjy.example/tasks/{task['id']}" in sms[0]
    assert {s for _, s, _ in _deliveries(app)} == {"sent"}
    assert _deliver(app) == 0  # nothing twice
    # the deliveries keep the addresses masked: the phone and the e-mail address live in users only
    assert [a for _, _, a in _deliveries(app)] == ["139****0101", "e***@demo.gjy.example"]


def test_a_failing_channel_is_retried_logged_masked_and_keeps_the_rest(
        app: Flask, as_user: Any, channels: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"{channels['stand_in'].url}/no-such-gateway")  # 404
    channels["inbox"].refuse = True
    case_id = _unlock_submitted(app, ent)
    act_ok(city, case_id, {"decision": "return", "comment": "缺申请表", "missing_items": ["application_files"]})
    with caplog.at_level("WARNING", logger="app.jobs.notify"):
        assert _deliver(app) == 0
    assert "sms to 139****0101 not delivered (attempt 1)" in caplog.text
    assert "email to e***@demo.gjy.example not delivered (attempt 1)" in caplog.text
    assert DEMO_PHONES["ent-nanning"] not in caplog.text and ENT_MAIL not in caplog.text
    assert {s for _, s, _ in _deliveries(app)} == {"pending"}
    assert [n["kind"] for n in _notices(app, "ent-nanning", case_id)] == ["applicant_supplement"]  # in-app: there
    assert _deliver(app) == 0  # not before its pause is over
    channels["inbox"].refuse = False
    with freeze_time(utcnow() + timedelta(minutes=2)):
        assert _deliver(app) == 1  # the e-mail went; the SMS gateway still fails
    assert sorted(s for _, s, _ in _deliveries(app)) == ["pending", "sent"]
    assert len(channels["inbox"].to(ENT_MAIL)) == 1


def test_refusal_and_the_individual_concerned(app: Flask, as_user: Any) -> None:
    """覃丽 has an account of her own: she is told of the refusal, without the enterprise's case link."""
    with app.app_context(), unit_of_work():
        person = db.session.scalar(select(Person).where(Person.name == "覃丽"))
        own = create_individual("qin-li", "Qinli-Passw0rd!", person, "450100", phone="13907719999")
        own.email = "qinli@example.com"
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent, "覃丽")
    act_ok(city, case_id, {"decision": "reject", "comment": "处罚决定书与申请人员不符",
                           "reject_ground": "materials_deficient", "deficient_materials": ["penalty_files"]})
    number = ent.case(case_id)["number"]
    [notice] = _notices(app, "ent-nanning", case_id)
    assert notice["kind"] == "applicant_refused" and notice["title"] == f"【不予解锁】{number}"
    assert "您可修改后重新提交，或撤回申请" in notice["body"] and notice["payload"]["ground"] == "材料不符合要求"
    [hers] = _notices(app, "qin-li")
    assert hers["title"] == notice["title"] and hers["case_id"] is None and "link" not in hers["payload"]
    # Not as if the case were hers to amend or withdraw (she read the enterprise's "您可修改后重新提交，或撤回申请").
    assert hers["body"] == f"涉及您的办件“{ent.case(case_id)['title']}”（{number}）审核结论：不予解锁。"
    with app.app_context():
        texts = {d.address: d.text for d in db.session.scalars(select(NotificationDelivery))}
    hers_text = texts["q***@example.com"]
    assert "不符合要求的材料：行政处罚决定书" in hers_text and "/tasks/" not in hers_text
    assert "/tasks/" in texts["e***@demo.gjy.example"]


def test_done_is_told_and_a_return_between_authorities_is_not(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")):
        case_id = approve_temporary_unlock(app, ent, city, "2027-01-15")
    [done] = _notices(app, "ent-nanning", case_id)
    assert done["kind"] == "applicant_done" and done["title"].endswith("同意解锁")
    assert done["payload"]["link"] == f"/cases/{case_id}"


def test_deregistration_refused_tells_the_person_who_applied(app: Flask, as_user: Any) -> None:
    person, city = as_user("person"), as_user("city-nanning")
    started = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    case_id = started.json["id"]
    act_ok(person, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销",
                             "application_files": [upload(person, case_id, "注销申请书.pdf")],
                             "separation_files": [upload(person, case_id, "劳动仲裁裁决书.pdf")],
                             "id_card_files": [upload(person, case_id, "身份证.pdf")], "paper_delivery": "counter"})
    act_ok(city, case_id, {"decision": "reject", "comment": "仲裁裁决书未生效，请补充生效证明"})
    [notice] = _notices(app, "person", case_id)
    assert notice["kind"] == "applicant_refused" and "不予注销" in notice["title"]
    assert notice["payload"]["comment"] == "仲裁裁决书未生效，请补充生效证明"
    assert _notices(app, "ent-nanning", case_id) == []  # the former employer is not told of his application
    with app.app_context():  # the decision as a decision states it, not the form's label "不予注销（退回申请人）"
        refusal = db.session.scalar(select(CaseDocument).where(CaseDocument.case_id == case_id,
                                                               CaseDocument.kind == "refusal"))
        assert refusal is not None and refusal.title == "不予注销决定书"
        assert refusal.content["decision"] == "不予注销"
        code = refusal.verification_code
    page = WebUser(app, "person").login()
    page.get("/lang/en")  # its English name comes from the decision's choice (it showed 不予注销决定书 (PDF))
    listed = page.html(f"/cases/{case_id}").split('data-document="refusal">')[1].split("</a>")[0]
    assert "Decision: Deregistration refused" in listed and "不予" not in listed
    anonymous = app.test_client()  # so does the public verification page (it showed "Document: 不予注销决定书")
    anonymous.get("/lang/en")
    verified = anonymous.get(f"/verify/{code}").get_data(as_text=True)
    assert "Decision: Deregistration refused" in verified and "不予注销决定书" not in verified


def test_a_user_without_a_phone_any_more_fails_that_channel_only(app: Flask, as_user: Any,
                                                                 channels: dict[str, Any]) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent)
    act_ok(city, case_id, {"decision": "return", "comment": "缺申请表", "missing_items": ["application_files"]})
    with app.app_context(), unit_of_work():
        db.session.scalar(select(User).where(User.username == "ent-nanning")).phone = None
    assert _deliver(app) == 1  # the e-mail
    assert sorted(s for _, s, _ in _deliveries(app)) == ["failed", "sent"]


def test_the_applicant_s_notices_read_in_english_on_the_english_pages(app: Flask, as_user: Any) -> None:
    """The 补正 notice named the case, the authority, the limit and the materials in Chinese on the English
    notifications page (only its frame was translated)."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")):
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰",
                               "missing_items": ["penalty_files", "reason"]})
    page = WebUser(app, "ent-nanning").login()
    page.get("/lang/en")
    shown = page.html("/notifications")
    assert "(within 10 working days)" in shown and "个工作日" not in shown
    assert "Personnel unlock (项目人员解锁): 陆伟" in shown and "市级住建部门" not in shown
    items = shown.split('data-testid="notice-items"', 1)[1].split("</ol>", 1)[0]
    assert "行政处罚决定书" not in items.replace("(行政处罚决定书)", "") and "申请理由" not in items, items
    chinese = WebUser(app, "ent-nanning").login().html("/notifications")  # the Chinese page as it was
    assert "10 个工作日内" in chinese and "<li>行政处罚决定书</li>" in chinese


def test_a_supplement_is_not_told_to_the_person_the_case_concerns(app: Flask, as_user: Any) -> None:
    """A 补正 is the applicant's to answer: 覃丽 read "您的办件…需补正材料，请于…前补正后重新提交" for the
    enterprise's case."""
    with app.app_context(), unit_of_work():
        person = db.session.scalar(select(Person).where(Person.name == "覃丽"))
        create_individual("qin-li", "Qinli-Passw0rd!", person, "450100", phone="13907719999")
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent, "覃丽")
    act_ok(city, case_id, {"decision": "return", "comment": "缺申请表", "missing_items": ["application_files"]})
    assert [n["kind"] for n in _notices(app, "ent-nanning", case_id)] == ["applicant_supplement"]
    assert _notices(app, "qin-li") == []
