"""事中事后抽查 in chromium: a city reviewer previews a stratified draw, then draws for real with a seed the
server makes, sees the draw's record (seed, verification) and finds the started spot-check cases in his task list."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import attach, check_page, choose, claim, open_mine, sign_in, submitted, write

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def test_city_previews_then_draws_and_sees_the_case_in_its_tasks(new_page: Callable[..., Any]) -> None:
    page = new_page(width=1366, height=900)
    sign_in(page, "city-nanning")
    with page.expect_navigation():
        page.get_by_role("link", name="事中事后抽查").click()
    page.get_by_label("抽查数量").fill("1")
    page.get_by_label("排除近期已抽查企业（月）").fill("0")
    assert page.get_by_label("随机种子").count() == 0  # the server makes the seed: nobody types one
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
    # the city's one enterprise with self-entered items, whatever the seed (previewed, then drawn)
    assert drawn.first.inner_text().startswith(previewed[0].strip())
    assert len(page.get_by_test_id("spot-check-seed").inner_text()) >= 32  # the draw shows its seed
    assert "复核一致" in page.get_by_test_id("spot-check-verified").inner_text()
    number = drawn.first.locator("[data-case-number]").get_attribute("data-case-number")
    assert number

    with page.expect_navigation():
        page.get_by_role("link", name="前往待办任务").click()
    assert page.locator(f"tr[data-case-number='{number}']").is_visible()  # in 我的待办, claimed by the city


def test_a_finding_left_unticked_as_not_serious_is_recorded_and_not_reported(new_page: Callable[..., Any]) -> None:
    """情节严重 is a required yes/no: the unticked box answers "no", so the page takes a finding that is not
    serious (it used to flag the box as missing, and every confirmed finding went to the national platform)."""
    city = new_page(width=1366, height=900)
    sign_in(city, "city-nanning")
    city.goto("/spot-checks")
    city.get_by_label("抽查数量").fill("1")  # the city's one enterprise with self-entered items: ent-nanning's
    for button in ("预览", "抽取并发起"):
        with city.expect_navigation():
            city.get_by_role("button", name=button).click()
    number = city.get_by_test_id("spot-check-items").locator("[data-case-number]").first.get_attribute(
        "data-case-number")
    open_mine(city, number)
    choose(city, "finding", "false_data")
    write(city, "findings", "申报的项目经理未实际到岗履职")
    attach(city, "evidence_files", "现场核查记录.pdf")
    submitted(city)

    ent = new_page(width=1366, height=900)
    sign_in(ent, "ent-nanning")
    claim(ent, number)
    write(ent, "statement", "项目经理因病短期休假")
    submitted(ent)

    claim(city, number)
    serious = city.locator("[data-field=serious]")
    assert serious.locator(".req-mark").count() == 0  # nothing to fill in: either state is an answer
    choose(city, "decision", "confirm")
    write(city, "deduction", "3")
    write(city, "notice_text", "项目经理未实际到岗履职，予以通报批评。")
    assert not serious.locator("input").is_checked()
    submitted(city)  # accepted, not flagged: the page navigated to the case

    ent.get_by_role("link", name="诚信评价").click()
    ent.wait_for_load_state()
    assert "-3.00" in ent.locator("main").inner_text()  # the deduction holds
    record = ent.locator("[data-kind]", has_text="录入虚假信息（事中事后抽查）")
    assert record.count() == 1, ent.locator("main").inner_text()[:800]
    assert "已报送全国平台" not in record.inner_text()
