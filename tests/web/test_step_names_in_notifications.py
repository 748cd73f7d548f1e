"""Notices that name a step read it in the page's language: an English page showed "[Overdue] LS-… 审核历史业绩补录
passed its deadline" while the dashboard named the step "Review the historical performance" (the English the
diagram gives it, `nameEn`). Notices stored before carry the step's Chinese name: they read in English too."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.errors import Message
from app.jobs.sla import refresh_deadline_states
from app.services.identity.accounts import get_user_by_username
from app.services.notifications import Note, notify
from tests.services.test_deadlines_calendar import _submit_unlock
from tests.support.deadlines import local
from tests.support.web import WebUser, notice_item

STEP, STEP_EN = "审核解锁申请", "Review the unlock request"  # personnel_unlock.bpmn: review_request's nameEn


def test_warning_and_overdue_notices_name_the_step_in_english(app: Flask, as_user: Any,
                                                              web: Callable[[str], WebUser]) -> None:
    with freeze_time(local("2026-12-01 10:00")):
        case_id = _submit_unlock(app, as_user("ent-nanning"))
    with freeze_time(local("2026-12-04 16:00")), app.app_context(), unit_of_work():
        refresh_deadline_states()  # the review's warning moment has passed
    with freeze_time(local("2026-12-04 18:00")), app.app_context(), unit_of_work():
        refresh_deadline_states()  # and its deadline
    number = as_user("ent-nanning").case(case_id)["number"]
    city = web("city-nanning")
    chinese = city.html("/notifications")
    assert f"【预警】{number} {STEP} 将于 2026-12-04 17:30 到期" in notice_item(chinese, "task_warning")
    assert f"【超期】{number} {STEP} 已超过办理时限 2026-12-04 17:30" in notice_item(chinese, "task_overdue")
    city.get("/lang/en")
    english = city.html("/notifications")
    warning, overdue = notice_item(english, "task_warning"), notice_item(english, "task_overdue")
    assert f"[Warning] {number} {STEP_EN} is due at 2026-12-04 17:30" in warning and STEP not in warning
    assert f"[Overdue] {number} {STEP_EN} passed its deadline 2026-12-04 17:30" in overdue and STEP not in overdue


def test_notices_stored_with_the_step_s_chinese_name_read_in_english(app: Flask,
                                                                     web: Callable[[str], WebUser]) -> None:
    """As the deadline job and a step marked notifyApplicant wrote them: the step's name alone, in Chinese."""
    with app.app_context(), unit_of_work():
        official, operator = get_user_by_username("city-nanning"), get_user_by_username("ent-nanning")
        notify([official], Note("task_warning", Message("【预警】{number} {step} 将于 {due} 到期",
                                                        number="LS-2026-000009", step=STEP, due="2026-12-04 17:30"),
                                key="w"))
        notify([official], Note("task_overdue", Message("【超期】{number} {step} 已超过办理时限 {due}",
                                                        number="LS-2026-000009", step=STEP, due="2026-12-04 17:30"),
                                key="o"))
        notify([operator], Note("applicant_step", Message("{number} 已到“{step}”", number="LS-2026-000009", step=STEP),
                                Message("您的办件“{title}”已进入“{step}”步骤。", title="项目人员解锁：陆伟", step=STEP),
                                key="s"))
    city = web("city-nanning")
    city.get("/lang/en")
    english = city.html("/notifications")
    assert f"LS-2026-000009 {STEP_EN} is due at" in notice_item(english, "task_warning")
    assert f"LS-2026-000009 {STEP_EN} passed its deadline" in notice_item(english, "task_overdue")
    ent = web("ent-nanning")
    ent.get("/lang/en")
    step = notice_item(ent.html("/notifications"), "applicant_step")
    assert STEP_EN in step and STEP not in step, step
