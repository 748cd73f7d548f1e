"""Once the authority has decided, the applicant can no longer withdraw: a B→A upgrade the province approved waits
for the national platform's acknowledgement (running, no open task), and a withdrawal there would leave the
project A, its report queued and its documents in force on a case that says 已撤回."""
from __future__ import annotations

from typing import Any

from flask import Flask

from app.jobs.exchange import dispatch_outbox
from tests.procedures.test_data_upgrade_b_to_a import B_PROJECT, level_of, record_data, reports, start_case, work
from tests.support.web import WebUser

REFUSED = "审核部门已作出决定，办件不能再撤回"


def _approved_b_to_a(as_user: Any) -> dict[str, Any]:
    ent, province = as_user("ent-nanning"), as_user("province")
    case = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)
    assert work(province, case["id"], {"verification_mode": "self"}).status_code == 200
    assert work(province, case["id"], record_data()).status_code == 200
    assert work(province, case["id"], {"decision": "approve"}).status_code == 200
    waiting = ent.case(case["id"])
    assert waiting["status"] == "running" and waiting["current_step"] == "等待全国平台接收回执"
    return case


def test_an_approved_upgrade_waiting_for_the_national_platform_cannot_be_withdrawn_by_api(
        as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    case = _approved_b_to_a(as_user)
    refused = ent.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "不再需要"})
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "withdraw_after_decision" and refused.json["message"] == REFUSED
    assert ent.case(case["id"])["status"] == "running"
    assert level_of(app, case["data"]["project_id"]) == "A"
    with app.app_context():  # the report goes on, and the case completes with its acknowledgement
        assert dispatch_outbox() == 1
    assert ent.case(case["id"])["status"] == "completed" and reports(app)[0].status == "delivered"


def test_the_case_page_offers_no_withdrawal_after_the_decision_and_refuses_one(as_user: Any, app: Flask) -> None:
    case = _approved_b_to_a(as_user)
    page = WebUser(app, "ent-nanning").login()
    assert 'data-testid="withdraw"' not in page.html(f"/cases/{case['id']}")
    posted = page.post(f"/cases/{case['id']}/withdraw", {"reason": "不再需要"}, follow_redirects=True)
    assert REFUSED in posted.get_data(as_text=True)
    assert as_user("ent-nanning").case(case["id"])["status"] == "running"


def test_before_the_decision_the_page_still_offers_the_withdrawal(as_user: Any, app: Flask) -> None:
    case = start_case(as_user("ent-nanning"), "data_upgrade_b_to_a", B_PROJECT)
    assert work(as_user("province"), case["id"], {"verification_mode": "self"}).status_code == 200
    assert 'data-testid="withdraw"' in WebUser(app, "ent-nanning").login().html(f"/cases/{case['id']}")
