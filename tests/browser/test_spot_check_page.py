"""事中事后抽查 in chromium: a city reviewer previews a seeded, stratified draw, then draws for real, and finds
the started spot-check cases in his task list."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def test_city_previews_then_draws_and_sees_the_case_in_its_tasks(new_page: Callable[..., Any]) -> None:
    page = new_page(width=1366, height=900)
    sign_in(page, "city-nanning")
    with page.expect_navigation():
        page.get_by_role("link", name="事中事后抽查").click()
    page.get_by_label("抽查数量").fill("1")
    page.get_by_label("排除近期已抽查企业（月）").fill("0")
    page.get_by_label("随机种子").fill("browser-2026")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()
    assert "预览结果（尚未保存）" in page.get_by_test_id("spot-check-result").inner_text()
    strata = page.get_by_test_id("spot-check-strata").locator("tbody tr")
    assert strata.count() >= 1 and "南宁市" in strata.first.inner_text()
    previewed = page.get_by_test_id("spot-check-items").locator("tbody tr").all_inner_texts()
    assert len(previewed) == 1
    check_page(page, "23-spot-check-preview")

    with page.expect_navigation():
        page.get_by_role("button", name="抽取并发起").click()
    assert "已抽取 1 项并发起 1 件抽查办件" in page.locator("[role=alert]").inner_text()
    drawn = page.get_by_test_id("spot-check-items").locator("tbody tr")
    assert drawn.first.inner_text().startswith(previewed[0].strip())  # the same seed draws what was previewed
    number = drawn.first.locator("[data-case-number]").get_attribute("data-case-number")
    assert number

    with page.expect_navigation():
        page.get_by_role("link", name="前往待办任务").click()
    assert page.locator(f"tr[data-case-number='{number}']").is_visible()  # in 我的待办, claimed by the city
