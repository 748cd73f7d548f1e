"""The unlock procedure walked entirely through pages in chromium, with an axe-core check on every page."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import CHECKED_PAGES, check_page, sign_in, submit_task

# committing: the live server answers on threads of its own, several requests at once, each with its connection
pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

REJECT_REASON = "缺少建设单位、监理单位盖章"


def enterprise_starts_and_submits(page: Any) -> str:
    sign_in(page, "ent-nanning")
    who = page.get_by_test_id("who")
    for text in ("广西邕城建设集团有限公司", "企业经办人", "南宁市"):
        assert text in who.inner_text()
    check_page(page, "01-home-enterprise")
    page.locator("[data-start=personnel_unlock]").click()
    assert re.search(r"/tasks/[0-9a-f-]+$", page.url)
    check_page(page, "02-task-form-enterprise")
    # invalid input: errors beside the fields, what was typed is still there
    page.get_by_label("申请理由").fill("太短")
    page.locator("[data-field=kind] select").select_option("duty_change")
    page.locator("[data-action=submit]").click()
    assert page.locator("[data-field-error=reason]").inner_text() == "至少填写 5 个字符"
    assert page.locator("[data-field-error=application_files]").is_visible()
    assert page.get_by_label("申请理由").input_value() == "太短"
    assert page.locator("[data-field=kind] select").input_value() == "duty_change"
    check_page(page, "03-task-form-errors")
    page.get_by_label("申请理由").fill("")
    submit_task(page, "项目经理因工作调整需要履职变更")
    assert page.get_by_test_id("case-status").get_attribute("data-status") == "running"
    page.wait_for_selector("#diagram[data-state=rendered]")
    assert page.locator(".djs-element.step-current").count() == 1  # the review waits for the city
    check_page(page, "03b-case-running")
    return page.get_by_test_id("case-number").inner_text()


def reviewer_decides(page: Any, number: str, decision: str, comment: str = "", first: bool = False,
                     ground: str = "") -> str:
    page.goto("/")
    assert "/tasks" in page.url  # an authority's home is its inbox, 待领取 first
    row = page.locator(f"tr[data-case-number='{number}']")
    assert row.count() == 1
    if first:
        assert int(page.locator("[data-count=claimable]").inner_text()) >= 1
        check_page(page, "04-inbox-city")
    row.get_by_role("button", name="领取").click()
    task_url = page.url
    if first:
        check_page(page, "05-task-review")
    page.locator("[data-field=decision] select").select_option(decision)
    if ground:
        page.locator("[data-field=reject_ground] select").select_option(ground)
    if comment:
        page.locator("[data-field=comment] textarea").fill(comment)
    page.locator("[data-action=submit]").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url, page.locator("[data-field-error]").all_inner_texts()
    return str(task_url)


def enterprise_amends(page: Any) -> None:
    page.goto("/")
    page.locator("tr[data-task] a", has_text="办理").first.click()
    assert REJECT_REASON in page.get_by_test_id("last-result").inner_text()
    assert page.get_by_label("申请理由").input_value()  # the earlier request is pre-filled
    check_page(page, "06-task-amend")
    page.get_by_label("申请理由").fill("已补充建设单位、监理单位盖章的申请表")
    submit_task(page, "已补充建设单位、监理单位盖章的申请表")


def test_unlock_walk_through_pages(new_page: Callable[..., Any]) -> None:
    ent, city, other = new_page(), new_page(), new_page(width=820, height=1100)  # other: a tablet
    number = enterprise_starts_and_submits(ent)
    case_url = ent.url
    sign_in(city, "city-nanning")
    reviewer_decides(city, number, "reject", REJECT_REASON, first=True, ground="conditions_not_met")
    enterprise_amends(ent)
    review_url = reviewer_decides(city, number, "approve")
    city.goto(f"/tasks?tab=done&q={number}&sort=-received")
    assert city.locator(f"tr[data-case-number='{number}']").count() == 2
    check_page(city, "07a-inbox-done")
    city.goto(review_url)
    assert "同意" in city.locator("main").inner_text()  # the completed task shows what was decided
    check_page(city, "07b-task-done")

    ent.goto(case_url)
    assert ent.get_by_test_id("case-status").get_attribute("data-status") == "completed"
    ent.wait_for_selector("#diagram[data-state=rendered]")
    assert int(ent.locator("#diagram").get_attribute("data-marked")) >= 3
    assert ent.locator(".djs-element.step-done").count() >= 3
    assert REJECT_REASON in (ent.get_by_test_id("timeline").text_content() or "")
    ent.get_by_label("发表评论（办件可见人员均可查看）").fill("感谢审核")
    ent.get_by_role("button", name="发表").click()
    assert "感谢审核" in ent.get_by_test_id("timeline").inner_text()
    check_page(ent, "07-case-completed")

    sign_in(other, "city-liuzhou")
    check_page(other, "08-inbox-other-city")
    for tab in ("claimable", "mine", "done"):
        other.goto(f"/tasks?tab={tab}&q={number}")
        assert other.locator(f"tr[data-case-number='{number}']").count() == 0
    other.goto(f"/cases?number={number}")
    assert other.locator(f"tr[data-case-number='{number}']").count() == 0
    assert other.goto(case_url).status == 404
    assert other.goto(review_url).status == 404
    check_page(other, "09-not-found")
    assert len(CHECKED_PAGES) >= 9


def test_other_pages_pass_axe(new_page: Callable[..., Any]) -> None:
    """The pages the walk above does not reach: sign-in, other roles' homes, lists, start forms, English."""
    page = new_page()
    page.goto("/login")
    check_page(page, "00-login")
    sign_in(page, "supervisor")
    check_page(page, "10-home-supervisor")
    page.goto("/cases")
    check_page(page, "11-cases")
    if page.locator("a[href='/dashboard']").count():
        page.goto("/dashboard")
        check_page(page, "12-dashboard")
    for path, name in (("/notifications", "12b-notifications"),):  # other areas' pages, where present
        if page.goto(path).status == 200:
            check_page(page, name)
    admin = new_page()
    sign_in(admin, "admin")
    if admin.goto("/admin/calendar").status == 200:
        check_page(admin, "12c-admin-calendar")
    individual = new_page()
    sign_in(individual, "person")
    check_page(individual, "13-home-individual")
    start_links = individual.locator("a[href^='/cases/start/']")
    if start_links.count():
        start_links.first.click()
        check_page(individual, "14-start-form")
    english = new_page(width=820, height=1100)
    sign_in(english, "province")
    english.get_by_role("link", name="English").click()
    assert english.locator("html").get_attribute("lang") == "en"
    assert "Claimable (待领取)" in english.locator("main").inner_text()
    check_page(english, "15-inbox-english")
