"""The dashboard's long lists say what their first page holds (the warning list is not "longest overdue"), and
its drill-down links keep every filter of the page (the trend's week count was lost on a click on 南宁市)."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.services.dashboard.overdue import OVERDUE_LIMIT
from tests.support.factories import NOVEMBER_QUERY as NOVEMBER
from tests.support.factories import SLA_NOW, make_case, make_task
from tests.support.web import WebUser


def _more_late_and_warned(app: Flask) -> None:
    """Enough open cases in warning and overdue (with their overdue steps) that each list shows a first page."""
    with app.app_context(), unit_of_work():
        for n in range(OVERDUE_LIMIT):
            make_case(region="450100", deadline_state="warning", due_at=SLA_NOW + timedelta(hours=n + 1))
            late = make_case(region="450100", deadline_state="overdue", due_at=SLA_NOW - timedelta(hours=n + 1))
            make_task(late, deadline_state="overdue", due_at=SLA_NOW - timedelta(hours=n + 1))


def _note(html: str, table: str) -> str:
    section = html.split(f'id="{table}"', 1)[1].split("</section>", 1)[0]
    notes = re.findall(r'<p class="dash-note">(.*?)</p>', section, re.S)
    return " ".join(notes)


def test_each_long_list_says_which_rows_it_shows(app: Flask, world: Any) -> None:
    _more_late_and_warned(app)
    user = WebUser(app, "supervisor").login()
    html = user.html(f"/dashboard?{NOVEMBER}")
    shown = OVERDUE_LIMIT
    # the warning list: not overdue, and nearest limit first
    assert f"共 {OVERDUE_LIMIT + 1} 条，显示距时限最近的 {shown} 条" in _note(html, "warning_cases")
    assert "超期最久" not in _note(html, "warning_cases")
    assert f"共 {OVERDUE_LIMIT + 2} 条，显示超期最久的 {shown} 条" in _note(html, "overdue_cases")
    assert f"共 {OVERDUE_LIMIT + 2} 条，显示超期最久的 {shown} 条" in _note(html, "overdue_tasks")
    user.get("/lang/en")
    english = user.html(f"/dashboard?{NOVEMBER}")
    assert f"the {shown} nearest their deadline are shown" in _note(english, "warning_cases")
    assert "longest overdue" not in _note(english, "warning_cases")
    assert f"the {shown} longest overdue are shown" in _note(english, "overdue_cases")


def _links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/dashboard[^"]*)"', html)]


def test_drill_down_breadcrumb_and_export_links_keep_the_period_and_the_weeks(app: Flask, world: Any) -> None:
    user = WebUser(app, "supervisor").login()
    html = user.html("/dashboard?weeks=26&first=2026-11-01&last=2026-11-27")
    drill = "/dashboard?region=450100&first=2026-11-01&last=2026-11-27&weeks=26"
    assert drill in _links(html)  # 南宁市 in the open-cases table
    county = user.html(drill)
    assert 'value="26"' in county  # the trend kept its 26 weeks
    links = _links(county)
    assert "/dashboard?region=450102&first=2026-11-01&last=2026-11-27&weeks=26" in links  # on to 兴宁区
    assert "/dashboard?region=450000&first=2026-11-01&last=2026-11-27&weeks=26" in links  # the breadcrumb back
    for link in (link for link in links if link != "/dashboard"):  # drill-down, breadcrumb, exports (not the menu)
        assert "first=2026-11-01" in link and "last=2026-11-27" in link and "weeks=26" in link, link
