"""The person deregistered on someone else's application is told in his own account (an individual's, linked
to the person): in-app, by SMS and by e-mail, naming the employer and the case number, with no link to the
case he may not open (only to his own record), in Chinese and in English. He is not told twice, and an
individual who applied himself hears as the applicant only."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, NotificationDelivery, Person, User
from app.services.demo import id_number
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser, notice_item

EMPLOYER = "广西邕城建设集团有限公司"
LIANG_HAI = id_number("45010719920105003")  # the demo "person" account's person, employed by ent-nanning


def _told(app: Flask, username: str) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).join(User, User.id == Notification.user_id).where(
            User.username == username, Notification.kind == "person_deregistered")))
        db.session.expunge_all()
        return rows


def _deregistered_by_the_employer(app: Flask, as_user: Any) -> tuple[int, str]:
    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.name == "梁海"))
    started = as_user("ent-nanning").start("personnel_deregistration", {
        "mode": "employer", "person_id": person_id, "leave_date": "2026-10-31", "reason": "合同期满离职"})
    assert started.status_code == 201 and started.json["status"] == "completed", started.json
    return started.json["id"], started.json["number"]


def test_the_person_his_employer_deregistered_is_told_in_his_messages(app: Flask, as_user: Any) -> None:
    case_id, number = _deregistered_by_the_employer(app, as_user)
    [notice] = _told(app, "person")
    assert notice.case_id is None and notice.task_id is None  # no way into the enterprise's case
    assert notice.title == f"人员注销通知（{number}）"
    assert notice.body == f"{EMPLOYER}已为您办理人员注销，您已从该单位注销（{number}）"
    assert _told(app, "ent-nanning") == []  # the applicant's operators are not told of what they did
    person = WebUser(app, "person").login()
    item = notice_item(person.html("/notifications"), "person_deregistered")
    assert f"人员注销通知（{number}）" in item and f"{EMPLOYER}已为您办理人员注销" in item
    assert "<a " not in item and "/cases/" not in item
    assert person.get(f"/cases/{case_id}").status_code == 404  # the case is still not his to open
    assert "已注销" in person.html("/records/persons")  # where the texts point: his own record
    person.get("/lang/en")
    english = notice_item(person.html("/notifications"), "person_deregistered")
    assert f"Personnel deregistration notice ({number})" in english
    assert f"{EMPLOYER} has deregistered you: you are no longer registered with it ({number})" in english
    assert "已为您办理" not in english


def test_the_sms_and_e_mail_name_the_employer_and_point_to_his_record(app: Flask, as_user: Any) -> None:
    _case_id, number = _deregistered_by_the_employer(app, as_user)
    [notice] = _told(app, "person")
    with app.app_context():
        texts = {d.channel: d.text for d in db.session.scalars(select(NotificationDelivery).where(
            NotificationDelivery.notification_id == notice.id))}
    assert "sms" in texts, texts
    for text in texts.values():
        assert EMPLOYER in text and number in text and "/records/persons" in text and "/cases/" not in text


def test_a_new_employer_s_application_tells_him_the_authority_decided(app: Flask, as_user: Any) -> None:
    new_employer, city = as_user("ent-liuzhou"), as_user("city-nanning")
    started = new_employer.start("personnel_deregistration", {
        "mode": "non_cooperating", "person_id_number": LIANG_HAI, "person_name": "梁海", "leave_date": "2026-10-31"})
    case_id, number = started.json["id"], started.json["number"]
    act_ok(new_employer, case_id, {
        "statement": "原单位拒绝出具离职证明，也不在系统中办理注销", "paper_delivery": "counter",
        **{name: [upload(new_employer, case_id)] for name in (
            "application_files", "separation_files", "id_card_files", "new_employment_files")}})
    assert _told(app, "person") == []  # nothing before the decision
    act_ok(city, case_id, {"decision": "approve", "paper_originals_received": True})
    # Told once, with the decision, as the person it concerns: not as if the case were his to amend or withdraw.
    with app.app_context():
        [notice] = db.session.scalars(select(Notification).join(User, User.id == Notification.user_id).where(
            User.username == "person")).all()
        assert notice.kind == "applicant_done" and notice.case_id is None
        assert notice.body == f"涉及您的办件“人员注销：梁海（{EMPLOYER}）”（{number}）已办理完毕：同意注销。"


def test_the_person_who_applied_himself_is_told_as_the_applicant_only(app: Flask, as_user: Any) -> None:
    person, city = as_user("person"), as_user("city-nanning")
    case_id = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"}
                           ).json["id"]
    act_ok(person, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销", "paper_delivery": "counter",
                             **{name: [upload(person, case_id)] for name in (
                                 "application_files", "separation_files", "id_card_files")}})
    act_ok(city, case_id, {"decision": "approve", "paper_originals_received": True})
    assert _told(app, "person") == []
