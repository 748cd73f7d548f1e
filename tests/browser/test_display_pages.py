"""The dashboard at tablet width, the header's bell and the admin's calendar link, in chromium with axe-core."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.db import unit_of_work
from tests.browser.helpers import check_page, sign_in
from tests.support.factories import NOVEMBER_QUERY, build_sla_world

# committing: the live server answers on threads of its own, several requests at once, each with its connection
pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]


@pytest.fixture
def sla_world(app: Flask) -> dict[str, Any]:
    """The SLA world without a frozen clock (the browser's driver keeps real time); the period is fixed."""
    with app.app_context(), unit_of_work():
        return build_sla_world()


def test_dashboard_tables_scroll_by_keyboard_and_keep_names_readable_at_768px(
        new_page: Callable[..., Any], sla_world: dict[str, Any]) -> None:
    page = new_page(width=768, height=1000)
    sign_in(page, "supervisor")
    page.goto(f"/dashboard?{NOVEMBER_QUERY}")
    boxes = page.locator(".dash-scroll")
    assert boxes.count() >= 8
    for box in boxes.all():  # each scroll box is a named region that takes the focus
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
        assert box.get_attribute("aria-label")
    reviewer = page.locator("#scorecard_reviewer .dash-scroll")
    assert reviewer.evaluate("e => e.scrollWidth > e.clientWidth")  # it does overflow at this width
    reviewer.focus()
    outline = reviewer.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("none", "")  # the focus is visible
    # names keep their width: one line, not one character per line
    for cell in page.locator("[data-table=scorecard_reviewer] td.dash-name, [data-table=by_step] td.dash-name").all():
        height = cell.evaluate("e => e.getBoundingClientRect().height")
        line = cell.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24")
        assert height < line * 2 + 12, (cell.inner_text(), height)
    text = page.locator("main").inner_text()
    for code in ("personnel_unlock", "review_request", "city-nanning"):
        assert code not in text, code
    check_page(page, "dashboard-768")


def test_bell_is_an_svg_icon_and_the_admin_finds_the_calendar(new_page: Callable[..., Any]) -> None:
    page = new_page()
    sign_in(page, "admin")
    bell = page.get_by_test_id("bell")
    assert bell.locator("svg").count() == 1 and "🔔" not in bell.inner_html()
    box = bell.locator("svg").bounding_box()
    assert box and box["width"] >= 12 and box["height"] >= 12
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作日历").click()
    assert page.url.endswith("/admin/calendar")
    check_page(page, "admin-calendar")
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/admin/calendar")
    assert page.locator("h1").inner_text().startswith("Working-day calendar (工作日历)")
    check_page(page, "admin-calendar-en")
