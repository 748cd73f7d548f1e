"""办件查询 in chromium: a city reviewer finds a case by the applicant's name and by a person's name, sees
the time left in working days and exports the list."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import check_page, sign_in
from tests.browser.test_phone_pages import submitted_case

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


def search(page: Any, **fields: str) -> list[str]:
    page.goto("/cases")
    for label, text in fields.items():
        page.get_by_label(label, exact=True).fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    return list(page.locator("tbody tr[data-case-number]").evaluate_all("rows => rows.map(r => r.dataset.caseNumber)"))


def test_city_finds_a_case_by_applicant_and_by_person(new_page: Callable[..., Any]) -> None:
    number = submitted_case(new_page)
    page = new_page(width=1366, height=900)
    sign_in(page, "city-nanning")
    assert search(page, 申请单位="邕城建设") == [number]
    title = page.locator(f"tr[data-case-number='{number}'] td").nth(1).inner_text()
    person = re.search(r"：(\S+?)（", title).group(1)  # type: ignore[union-attr]  # 项目人员解锁：陆伟（项目经理）…
    assert search(page, 人员=person) == [number]
    assert search(page, 人员="不存在的人") == []
    assert search(page, 人员=person, 申请单位="龙城") == []
    search(page, 人员=person)
    assert re.search(r"剩余 \d 个工作日|今日到期", page.get_by_test_id("case-deadline").inner_text())
    with page.expect_download() as download:
        page.locator("[data-export=csv]").click()
    assert number in download.value.path().read_text("utf-8-sig")
    check_page(page, "20-case-search")
