"""What the applicant and the reviewers see after a decision (issue 20): the stopped clock, the 补正 notice,
the returned C→A record; each page checked with axe-core."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.integrations.sms.memory import MemorySmsGateway
from app.jobs.sla import refresh_deadline_states
from app.services.demo import DEMO_PHONES
from tests.browser.helpers import check_page, sign_in
from tests.documents.test_case_documents import pdf_text
from tests.notifications.test_applicant_notices import ENT_MAIL, _deliver, _unlock_submitted
from tests.procedures.steps import act_ok
from tests.services.test_deadlines_decision import approve_temporary_unlock
from tests.support.channels import Inbox, smtp_server  # noqa: F401 (the fixture: a real SMTP server)
from tests.support.deadlines import local
from tests.web.test_returned_step import ASKED, returned_by_province

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def test_temporary_unlock_decided_weeks_ago_shows_done_on_time(app: Flask, as_user: Any,
                                                               new_page: Callable[..., Any]) -> None:
    """Approved on time weeks before today and still waiting for its re-lock date: 按时办结, no red card."""
    with freeze_time(local("2026-11-02 10:00")):
        case_id = approve_temporary_unlock(app, as_user("ent-nanning"), as_user("city-nanning"), "2027-01-20")
    with app.app_context(), unit_of_work():
        refresh_deadline_states()  # the periodic job at today's clock
    number = as_user("ent-nanning").case(case_id)["number"]
    ent = new_page()
    sign_in(ent, "ent-nanning")
    ent.goto(f"/cases/{case_id}")
    assert ent.get_by_test_id("case-status").get_attribute("data-status") == "running"
    assert "按时办结" in ent.get_by_test_id("statutory-deadline").inner_text()
    assert "已作出决定，停止计时" in ent.get_by_test_id("clock-stopped").inner_text()
    assert "超期" not in ent.locator("main").inner_text()
    check_page(ent, "20-case-decided-waiting")
    lead = new_page()
    sign_in(lead, "supervisor")
    lead.goto("/dashboard?first=2026-11-01&last=2026-12-31")
    assert number not in lead.locator("#overdue_cases").inner_text()


def test_applicant_sees_the_supplement_notice_with_its_items(app: Flask, as_user: Any, new_page: Callable[..., Any],
                                                             smtp_server: tuple[Inbox, int],  # noqa: F811
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """In the pages (the bell, the notice with its one-time list, its link to the task), and by e-mail through
    a real SMTP server and by SMS (the tests' memory gateway, which also carries the sign-in codes), once the
    delivery job has run."""
    inbox, port = smtp_server
    for key, value in {"MAIL_BACKEND": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": port,
                       "NOTIFY_EMAIL_FROM": "noreply@gjy.example"}.items():
        monkeypatch.setitem(app.config, key, value)
    ent_api, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent_api)
    act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰",
                           "missing_items": ["penalty_files", "reason"]})
    assert _deliver(app) == 2
    [mail] = inbox.to(ENT_MAIL)
    assert "【补正告知】" in mail["Subject"]
    assert "1. 行政处罚决定书" in mail.get_content() and "2. 申请理由（说明不充分）" in mail.get_content()
    task_id = ent_api.task_for(case_id)["id"]
    sms = MemorySmsGateway.shared().last_text(DEMO_PHONES["ent-nanning"]) or ""
    assert task_id in sms and "需补正：行政处罚决定书" in sms
    ent = new_page()
    sign_in(ent, "ent-nanning")
    assert ent.get_by_test_id("bell").locator("[data-count=unread]").inner_text() == "1"
    ent.get_by_test_id("bell").click()
    notice = ent.locator("[data-kind=applicant_supplement]")
    assert "补正告知" in notice.inner_text() and "个工作日内" in notice.inner_text()
    items = notice.get_by_test_id("notice-items").locator("li").all_inner_texts()
    assert items == ["行政处罚决定书", "申请理由（说明不充分）"]
    check_page(ent, "21-notifications-supplement")
    notice.get_by_role("link").click()
    assert "/tasks/" in ent.url and "填写解锁申请" in ent.locator("main").inner_text()


def test_the_returned_c_to_a_record_opens_pre_filled(app: Flask, as_user: Any, new_page: Callable[..., Any]) -> None:
    case_id, task_id = returned_by_province(as_user)
    city = new_page()
    sign_in(city, "city-nanning")
    city.goto(f"/tasks/{task_id}")
    assert city.get_by_label("核查地点").input_value() == "南宁市青秀区民族大道项目现场"
    assert city.get_by_label("企业陪同人员（姓名、职务）").input_value() == "陆伟（项目经理）"
    asked = city.get_by_test_id("last-result").inner_text()
    assert "退回市级重新核查" in asked and ASKED in asked
    assert city.get_by_test_id("returned-note").is_visible()
    check_page(city, "22-task-returned-record")
    city.get_by_label("核查地点").fill("南宁市青秀区民族大道项目现场（补拍照片）")
    city.locator("[data-action=submit]").click()
    city.wait_for_load_state()
    assert "表单填写有误" not in city.locator("main").inner_text()  # the pre-filled form went through as it was
    moved = as_user("city-nanning").case(case_id)
    assert moved["current_step"] == "寄送盖章原件"
    assert moved["data"]["verification_location"] == "南宁市青秀区民族大道项目现场（补拍照片）"


def test_the_applicant_downloads_the_supplement_notice_as_pdf(app: Flask, as_user: Any,
                                                              new_page: Callable[..., Any]) -> None:
    ent_api, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent_api)
    act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰",
                           "missing_items": ["penalty_files"]})
    ent = new_page()
    sign_in(ent, "ent-nanning")
    ent.goto(f"/cases/{case_id}")
    documents = ent.get_by_test_id("documents")
    assert "受理通知书" in documents.inner_text() and "补正告知书" in documents.inner_text()
    check_page(ent, "23-case-documents")
    with ent.expect_download() as event:
        documents.locator("[data-document=supplement]").click()
    text = pdf_text(Path(event.value.path()).read_bytes())
    assert "补正告知书" in text and "1.行政处罚决定书" in text and ent_api.case(case_id)["number"] in text
    code = re.search(r"验证码：([A-Z0-9-]{19})", text)
    assert code
    visitor = new_page()
    visitor.goto(f"/verify/{code.group(1)}")
    assert "补正告知书" in visitor.get_by_test_id("verified").inner_text()
    check_page(visitor, "24-verify-document")
