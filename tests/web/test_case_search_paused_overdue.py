"""办件查询's rows agree with its 超期 filter: a case returned for 补正 after its limit passed reads 超期（暂停计时）
in the list and its CSV / Excel export (as on the dashboard's red board), a case returned in time still reads
暂停计时; the REST API's deadline_state of both stays "paused" (a contract)."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from freezegun import freeze_time
from openpyxl import load_workbook

from tests.services.test_dashboard_paused_overdue import LATER, _cases
from tests.support.deadlines import local
from tests.support.web import WebUser


def _badges(html: str) -> dict[str, str]:
    """Each row's case number and the text of its deadline badge."""
    found = re.findall(r'<tr data-case-number="([^"]+)">.*?data-testid="case-deadline">\s*<span class="badge ([^"]+)">'
                       r'([^<]*)</span>', html, re.S)
    return {number: f"{badge.split()[-1]} {title}" for number, badge, title in found}


def test_a_late_paused_case_reads_overdue_paused_in_the_list_and_export(app: Any, as_user: Any) -> None:
    late, in_time, _red = _cases(app, as_user)
    city = as_user("city-nanning")
    with freeze_time(local(LATER)):
        page = WebUser(app, "city-nanning").login()
        late_no, in_time_no = (city.get(f"/api/v1/cases/{case_id}").json["number"] for case_id in (late, in_time))
        listed = _badges(page.client.get("/cases?procedure=clock_probe").data.decode())
        red = _badges(page.client.get("/cases?deadline=overdue&procedure=clock_probe").data.decode())
        paused = _badges(page.client.get("/cases?deadline=paused&procedure=clock_probe").data.decode())
        exported = page.client.get("/cases/export.csv?procedure=clock_probe").get_data().decode("utf-8-sig")
        book = load_workbook(io.BytesIO(page.client.get("/cases/export.xlsx?procedure=clock_probe").get_data()))
        api = city.get("/api/v1/cases?procedure=clock_probe").json["items"]
    assert listed == {late_no: "text-bg-danger 超期（暂停计时）", in_time_no: "text-bg-secondary 暂停计时"}
    assert red == {late_no: "text-bg-danger 超期（暂停计时）"}  # the row agrees with the filter that found it
    assert paused == {in_time_no: "text-bg-secondary 暂停计时"}  # and the late one is not found as 暂停计时
    header, *body = list(csv.reader(io.StringIO(exported)))
    table = [dict(zip(header, r, strict=True)) for r in body]
    states = {row["办件编号"]: (row["时限状态"], row["剩余时间"]) for row in table}
    assert states == {late_no: ("超期（暂停计时）", ""), in_time_no: ("暂停计时", "")}
    sheet = book.active
    assert sheet is not None
    titles = [cell.value for cell in sheet[1]]
    xlsx = {r[0]: r[titles.index("时限状态")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert xlsx == {late_no: "超期（暂停计时）", in_time_no: "暂停计时"}
    assert {c["id"]: c["deadline_state"] for c in api} == {late: "paused", in_time: "paused"}  # the API unchanged


def test_english_list_reads_overdue_clock_paused(app: Any, as_user: Any) -> None:
    late, _in_time, _red = _cases(app, as_user)
    with freeze_time(local(LATER)):
        page = WebUser(app, "city-nanning").login()
        page.client.get("/lang/en")
        html = page.client.get("/cases?deadline=overdue&procedure=clock_probe").data.decode()
    assert list(_badges(html).values()) == ["text-bg-danger Overdue (clock paused)"], late


def test_the_case_page_reads_as_the_list_does(app: Any, as_user: Any) -> None:
    late, in_time, _red = _cases(app, as_user)
    with freeze_time(local(LATER)):
        page = WebUser(app, "city-nanning").login()
        late_page = page.client.get(f"/cases/{late}").data.decode()
        in_time_page = page.client.get(f"/cases/{in_time}").data.decode()
    assert "超期（暂停计时）" in late_page
    assert "超期（暂停计时）" not in in_time_page and "暂停计时" in in_time_page
