"""The dashboard page through the Flask test client: who sees it, drill-down links, chart and exports."""
from __future__ import annotations

import csv
import io
from typing import Any

from tests.support.factories import NOVEMBER_QUERY as NOVEMBER
from tests.support.web import WebUser


def login(app: Any, username: str) -> Any:
    return WebUser(app, username).login().client


def test_province_supervisor_sees_tables_chart_and_drill_down_links(app: Any, world: Any) -> None:
    page = login(app, "supervisor").get(f"/dashboard?{NOVEMBER}")
    assert page.status_code == 200
    html = page.data.decode()
    assert "时限监管看板" in html and 'data-testid="trend-chart"' in html and "<rect" in html
    assert 'href="/dashboard?region=450100&amp;first=2026-11-01&amp;last=2026-11-27&amp;weeks=12"' in html
    assert f'href="/cases/{world["o3"]}"' in html  # overdue case -> the case page
    assert "待领取（市级审核人员）" in html and "75.0%" in html
    assert 'data-export="by_step.xlsx"' in html


def test_drill_down_to_a_county_and_breadcrumb_back(app: Any, world: Any) -> None:
    html = login(app, "supervisor").get(f"/dashboard?region=450102&{NOVEMBER}").data.decode()
    assert 'aria-current="page">兴宁区' in html
    assert 'href="/dashboard?region=450100' in html and 'href="/dashboard?region=450000' in html


def test_city_supervisor_is_refused_another_city_in_chinese(app: Any, world: Any) -> None:
    client = login(app, "supervisor-nanning")
    assert client.get("/dashboard").status_code == 200
    refused = client.get("/dashboard?region=450200")
    assert refused.status_code == 403 and "您无权查看该辖区的时限监管数据" in refused.data.decode()


def test_enterprise_user_gets_403_with_a_chinese_message(app: Any, world: Any) -> None:
    refused = login(app, "ent-nanning").get("/dashboard")
    assert refused.status_code == 403 and "只有监管人员" in refused.data.decode()


def test_page_export_matches_the_table(app: Any, world: Any) -> None:
    response = login(app, "supervisor").get(f"/dashboard/export/by_procedure.csv?{NOVEMBER}")
    assert response.status_code == 200
    header, *lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    unlock = dict(zip(header, next(line for line in lines if line[0] == "personnel_unlock"), strict=True))
    assert (unlock["按时办结率"], unlock["办理时长P90（小时）"]) == ("0.75", "120.0")
    assert login(app, "supervisor").get("/dashboard/export/by_procedure.pdf").status_code == 404


def test_dashboard_reads_in_english_with_the_domain_terms_kept(app: Any, world: Any) -> None:
    client = login(app, "supervisor")
    client.get("/lang/en")
    html = client.get(f"/dashboard?{NOVEMBER}").data.decode()
    for text in ("SLA dashboard (时限监管看板)", "Open cases", "Steps overdue now (红牌)",
                 "Completions by procedure (事项)", "Weekly trend", "Export:", "Handling time median (h)",
                 "Week of 11-"):
        assert text in html, text
    for chinese in ("统计期首日", "按时办结率", "暂无数据", "办结情况（按环节）", "（本级）", "待领取（"):
        assert chinese not in html, chinese  # the last two were built from names, so no catalogue matched them
    assert "To be claimed (" in html
    assert "75.0%" in html and "南宁市" in html  # figures and place names are unchanged
    csv_text = client.get(f"/dashboard/export/by_procedure.csv?{NOVEMBER}").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Procedure key,Procedure,")  # the page's exports: its language


def test_analyst_opens_the_dashboard_without_the_reviewer_scorecard(app: Any, world: Any) -> None:
    page = login(app, "analyst").get("/dashboard")  # an actor who reads no case: no table of persons
    assert page.status_code == 200
    html = page.data.decode()
    assert "时限监管看板" in html and 'id="scorecard_reviewer"' not in html
