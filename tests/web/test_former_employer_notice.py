"""The former employer's notice of a deregistration it did not apply for: it keeps the employer out of the
individual's case (no link to a page that answers 未找到该办件) and reads in English on the English pages;
the integrity ledger's system entries name their recorder in the reader's language."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from app.jobs.exchange import dispatch_outbox
from tests.procedures.steps import act_ok, upload
from tests.support.web import WebUser, notice_item


def _deregistered_by_the_person_himself(as_user: Any, app: Flask) -> tuple[int, str]:
    """梁海 applies against his former employer (ent-nanning), the city approves, the outbox is delivered."""
    person, city = as_user("person"), as_user("city-nanning")
    started = person.start("personnel_deregistration", {"mode": "non_cooperating", "leave_date": "2026-10-31"})
    assert started.status_code == 201, started.json
    case_id, number = started.json["id"], started.json["number"]
    act_ok(person, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销",
                             "application_files": [upload(person, case_id, "注销申请书.pdf")],
                             "separation_files": [upload(person, case_id, "劳动仲裁裁决书.pdf")],
                             "id_card_files": [upload(person, case_id, "身份证.pdf")], "paper_delivery": "counter"})
    act_ok(city, case_id, {"decision": "approve", "paper_originals_received": True})
    with app.app_context():
        dispatch_outbox()
    return case_id, number


def test_the_former_employer_is_told_without_a_link_to_the_case_it_may_not_open(as_user: Any, app: Flask) -> None:
    case_id, number = _deregistered_by_the_person_himself(as_user, app)
    former = WebUser(app, "ent-nanning").login()
    notice = notice_item(former.html("/notifications"), "former_employer_deregistered")
    assert f"人员注销通知（{number}）" in notice and f"经主管部门审核，梁海已从贵单位注销（{number}）" in notice
    assert "<a " not in notice and f"/cases/{case_id}" not in notice
    assert former.get(f"/cases/{case_id}").status_code == 404  # still hidden: the notice simply does not lead there
    [item] = [n for n in as_user("ent-nanning").get("/api/v1/notifications").json["items"]
              if n["kind"] == "former_employer_deregistered"]
    assert item["case_id"] is None


def test_the_notice_reads_in_english_on_the_english_pages(as_user: Any, app: Flask) -> None:
    _case_id, number = _deregistered_by_the_person_himself(as_user, app)
    former = WebUser(app, "ent-nanning").login()
    former.get("/lang/en")
    notice = notice_item(former.html("/notifications"), "former_employer_deregistered")
    assert f"Personnel deregistration notice ({number})" in notice
    assert f"After review by the competent authority, 梁海 has been deregistered from your organisation ({number})" \
        in notice
    assert "经主管部门审核" not in notice


def test_the_integrity_ledger_names_the_system_recorder_in_english(app: Flask) -> None:
    ent = WebUser(app, "ent-nanning").login()
    assert "<td>系统</td>" in ent.html("/integrity")  # the demo's migrated entries, recorded by the system
    ent.get("/lang/en")
    ledger = ent.html("/integrity")
    assert "<td>System</td>" in ledger and "<td>系统</td>" not in ledger


def test_the_individual_is_named_once_in_his_case_history(as_user: Any, app: Flask) -> None:
    """His organisation is his own, named after him: the history read 梁海（梁海（个人））."""
    case_id, _number = _deregistered_by_the_person_himself(as_user, app)
    page = WebUser(app, "person").login().html(f"/cases/{case_id}")
    actors = re.findall(r'data-testid="event-actor">([^<]*)<', page)
    assert "梁海（个人）" in actors and not [a for a in actors if "梁海（梁海" in a]
    assert any("住建" in a or "局" in a for a in actors), actors  # the city's reviewer keeps his organisation
