"""Every page of every demo role's menu at 390 px (a phone): nothing wider than the viewport, 领取 in reach,
and axe-core finds no violation at all."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.services.demo import DEMO_USERNAMES
from tests.browser.conftest import AXE
from tests.browser.helpers import sign_in, submit_task

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

PHONE = {"width": 390, "height": 844}
ROLES = list(DEMO_USERNAMES)  # every demo role


def too_wide(page: Any) -> list[str]:
    """The page's overflow, and the elements sticking out of the viewport (for the message)."""
    return list(page.evaluate("""() => {
      const width = window.innerWidth, out = [];
      if (document.documentElement.scrollWidth > width) {
        out.push('document ' + document.documentElement.scrollWidth + ' > ' + width);
        for (const el of document.querySelectorAll('body *')) {
          const box = el.getBoundingClientRect();
          if (box.right > width + 1 && el.offsetParent !== null && !el.closest('.table-responsive, .diagram'))
            out.push(el.tagName + '.' + el.className + ' right=' + Math.round(box.right));
          if (out.length > 8) break;
        }
      }
      return out;
    }"""))


def axe_violations(page: Any) -> list[str]:
    page.evaluate("async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }")
    page.evaluate(AXE.read_text("utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}" for v in result["violations"]]


def check_phone_page(page: Any, problems: dict[str, list[str]], who: str) -> None:
    found = too_wide(page) + axe_violations(page)
    if found:
        problems[f"{who} {page.url}"] = found


def menu_links(page: Any) -> list[str]:
    hrefs = page.locator("nav[aria-label=主导航] a.nav-link").evaluate_all("links => links.map(a => a.href)")
    return list(dict.fromkeys(hrefs))


def submitted_case(new_page: Callable[..., Any]) -> str:
    """An unlock case submitted through the pages, on a phone: its number."""
    page = new_page(**PHONE)
    sign_in(page, "ent-nanning")
    with page.expect_navigation():
        page.locator("[data-start=personnel_unlock]").click()
    page.locator("[data-field=kind] select").select_option("duty_change")
    submit_task(page, "项目经理因工作调整需要履职变更")
    return str(page.get_by_test_id("case-number").inner_text())


def test_every_menu_page_fits_a_phone_and_passes_axe(new_page: Callable[..., Any]) -> None:
    number = submitted_case(new_page)
    problems: dict[str, list[str]] = {}
    visited = 0
    anonymous = new_page(**PHONE)
    for path in ("/login", "/register/enterprise", "/register/individual"):
        if anonymous.goto(path).status == 200:
            check_phone_page(anonymous, problems, "anonymous")
            visited += 1
    for username in ROLES:
        page = new_page(**PHONE)
        sign_in(page, username)
        starts = page.locator("a[href^='/cases/start/']").evaluate_all("links => links.map(a => a.href)")
        for href in [*menu_links(page), *dict.fromkeys(starts)]:  # the menu, and the start forms of the home
            page.goto(href)
            check_phone_page(page, problems, username)
            visited += 1
        if username == "city-nanning":  # the reviewer's list as cards: 领取 and 分派 on screen
            page.goto("/tasks?tab=claimable")
            card = page.locator(f".task-card[data-case-number='{number}']")
            claim = card.get_by_role("button", name="领取")
            assert claim.is_visible() and claim.bounding_box()["x"] + claim.bounding_box()["width"] <= PHONE["width"]
            assigned = card.get_by_role("link", name="分派")
            assert assigned.is_visible() and assigned.bounding_box()["x"] + assigned.bounding_box()["width"] <= 390
            for tab in ("mine", "done"):
                page.goto(f"/tasks?tab={tab}")
                check_phone_page(page, problems, username)
            page.goto("/tasks?tab=claimable")
            with page.expect_navigation():
                card.get_by_role("button", name="领取").click()
            check_phone_page(page, problems, username)  # the task page with its form
            page.goto(page.locator("nav[aria-label=位置] a").nth(1).get_attribute("href"))
            page.wait_for_selector("#diagram[data-state=rendered]")
            check_phone_page(page, problems, username)  # the case page with its diagram
            box = page.locator("#diagram").bounding_box()
            assert box["width"] >= 340 and box["height"] >= 400  # full width, not a thumbnail
            page.get_by_role("button", name="放大").click()
            assert int(page.locator("#diagram").get_attribute("data-zoom")) > 0
            visited += 5
    assert visited >= 30
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
