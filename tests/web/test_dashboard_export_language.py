"""The dashboard page's exports come in the page's language (headers and values, as the case list's export does);
the API's exports stay in Chinese."""
from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from tests.support.factories import NOVEMBER_QUERY as NOVEMBER
from tests.support.web import WebUser


def _english(app: Any) -> Any:
    client = WebUser(app, "supervisor").login().client
    client.get("/lang/en")
    return client


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_english_dashboard_exports_csv_in_english(app: Any, world: Any) -> None:
    client = _english(app)
    header, *rows = _csv(client.get(f"/dashboard/export/overdue_tasks.csv?{NOVEMBER}"))
    assert header[:2] == ["Case number", "Procedure"] and "Past statutory limit" in header
    unclaimed = next(dict(zip(header, row, strict=True)) for row in rows if "To be claimed" in "".join(row))
    assert unclaimed["Past statutory limit"] == "Yes"
    assert unclaimed["Assignee"] == "To be claimed (City reviewer (市级审核人员))"
    assert unclaimed["Step (环节)"] == "Review the unlock request"
    text = "\n".join(",".join(row) for row in [header, *rows])
    for chinese in ("办件编号", "待领取", "是", "否", "审核解锁申请"):
        assert chinese not in text, chinese
    header, *rows = _csv(client.get(f"/dashboard/export/by_region.csv?region=450100&{NOVEMBER}"))
    regions = [dict(zip(header, row, strict=True))["Region"] for row in rows]
    assert "南宁市 (this level)" in regions  # the place name kept, the rest in English


def test_english_dashboard_exports_xlsx_in_english(app: Any, world: Any) -> None:
    response = _english(app).get(f"/dashboard/export/overdue_tasks.xlsx?{NOVEMBER}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Case number" and sheet.title == "Steps overdue now (红牌)"
    assert any(value == "To be claimed (City reviewer (市级审核人员))" for row in values for value in row)


def test_chinese_page_and_api_exports_stay_chinese(app: Any, world: Any, as_user: Any) -> None:
    header, *_rows = _csv(WebUser(app, "supervisor").login().client.get(
        f"/dashboard/export/overdue_tasks.csv?{NOVEMBER}"))
    assert header[:2] == ["办件编号", "事项"]
    api = as_user("supervisor")
    api.client.set_cookie("gjy_lang", "en")  # a language cookie the API does not read
    header, *rows = _csv(api.get(f"/api/v1/dashboard/overdue_tasks/export?format=csv&{NOVEMBER}"))
    assert header[:2] == ["办件编号", "事项"] and any("待领取（市级审核人员）" in row for row in rows)
