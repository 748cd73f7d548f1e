"""The notifications page reaches every notice the bell counts: 55 unread showed the newest 50 without a pager,
and 全部标为已读 then marked five that were never shown."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.jobs.sla import refresh_deadline_states
from app.services.identity.accounts import get_user_by_username
from app.services.notifications import Note, alert_calendar_missing, notify
from tests.api.test_review_rounds import returned_for_supplement
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_calendar import _submit_unlock
from tests.support.deadlines import local
from tests.support.web import WebUser


def test_every_notice_is_on_a_page(app: Flask, web: Callable[[str], WebUser]) -> None:
    with app.app_context(), unit_of_work():
        supervisor = get_user_by_username("supervisor")
        for n in range(55):
            notify([supervisor], Note("test_notice", f"第 {n + 1} 条提醒", key=str(n)))
    user = web("supervisor")
    first = user.html("/notifications")
    assert first.count('data-kind="test_notice"') == 50 and "第 55 条提醒" in first and "第 5 条提醒<" not in first
    assert 'href="/notifications?page=2"' in first
    second = user.html("/notifications?page=2")
    assert second.count('data-kind="test_notice"') == 5 and "第 1 条提醒" in second
    assert user.html("/notifications?page=99").count('data-kind="test_notice"') == 5  # past the end: the last page


def test_deadline_and_calendar_notices_read_in_the_page_language(app: Flask, as_user: Any,
                                                                 web: Callable[[str], WebUser]) -> None:
    """They were Chinese sentences stored at send time, shown as such on the English pages."""
    with freeze_time(local("2026-12-01 10:00")):
        case_id = _submit_unlock(app, as_user("ent-nanning"))
    with freeze_time(local("2026-12-04 16:00")), app.app_context(), unit_of_work():
        refresh_deadline_states()  # the review's warning moment has passed
        alert_calendar_missing([2031])
    number = as_user("ent-nanning").case(case_id)["number"]
    city = web("city-nanning")
    assert f"【预警】{number} 审核解锁申请 将于 2026-12-04 17:30 到期" in city.html("/notifications")
    city.get("/lang/en")
    assert f"[Warning] {number} Review the unlock request is due at 2026-12-04 17:30" in city.html("/notifications")
    admin = web("admin")
    admin.get("/lang/en")
    assert "Enter the holidays of 2031" in admin.html("/notifications")


def test_the_applicant_s_notices_read_in_the_page_language(app: Flask, as_user: Any,
                                                           web: Callable[[str], WebUser]) -> None:
    """补正告知, 不予… and 办结 notices were Chinese sentences on the English pages."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, request = returned_for_supplement(app, ent, city)
    number = ent.case(case_id)["number"]
    user = web("ent-nanning")
    assert f"【补正告知】{number} 需补正材料" in user.html("/notifications")
    act_ok(ent, case_id, {**request, "completion_files": [upload(ent, case_id, "竣工验收（盖章）.pdf")]})
    act_ok(city, case_id, {"decision": "reject", "comment": "项目尚未竣工", "reject_ground": "conditions_not_met"})
    assert f"【不予解锁】{number}" in user.html("/notifications")
    user.get("/lang/en")
    page = user.html("/notifications")
    assert f"[Supplement notice] {number}: materials to supplement" in page and "需补正材料。请于" not in page
    # the decision in the form's own English, as an outcome (x-outcome_en), not the reviewer's button
    assert f"[Unlock refused] {number}" in page and "Refuse the unlock" not in page
