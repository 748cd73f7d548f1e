"""The dashboard API: JSON tables, region scoping with drill-down, CSV and Excel exports that parse back."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from app.services.dashboard import overdue
from tests.support.factories import NOVEMBER_QUERY as NOVEMBER


def rows_by(body: dict[str, Any], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in body["rows"]}


def test_province_supervisor_gets_every_table(world: Any, as_user: Any) -> None:
    response = as_user("supervisor").get(f"/api/v1/dashboard?{NOVEMBER}")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["region"], body["first"], body["last"]) == ("450000", "2026-11-01", "2026-11-27")
    names = [t["name"] for t in body["tables"]]
    assert names == ["open_cases", "open_tasks", "by_procedure", "by_step", "by_region", "overdue_tasks",
                     "overdue_cases", "warning_cases", "trend", "scorecard_authority", "scorecard_reviewer"]
    tables = {t["name"]: t for t in body["tables"]}
    unlock = rows_by(tables["by_procedure"], "procedure")["personnel_unlock"]
    assert (unlock["on_time_rate"], unlock["median_hours"], unlock["p90_hours"]) == (0.75, 30.0, 120.0)
    overdue = tables["overdue_tasks"]
    assert overdue["total"] == 2 and overdue["rows"][0]["days_late"] == 3
    assert overdue["rows"][0]["due_at"] == "2026-11-24T23:00:00+00:00"  # 07:00 on the 25th, China time
    assert tables["trend"]["rows"][-1] == {"week": "2026-11-23", "received": 6, "completed": 0,
                                           "completed_late": 0, "late_rate": None}


def test_province_drills_down_to_a_city_and_a_county(world: Any, as_user: Any) -> None:
    supervisor = as_user("supervisor")
    city = supervisor.get(f"/api/v1/dashboard/by_region?region=450100&{NOVEMBER}").json
    assert [r["code"] for r in city["region_path"]] == ["450000", "450100"]
    assert set(rows_by(city, "region_code")) == {"450100", "450102"}
    county = supervisor.get(f"/api/v1/dashboard/open_cases?region=450102&{NOVEMBER}").json
    assert [r["name"] for r in county["region_path"]] == ["广西壮族自治区", "南宁市", "兴宁区"]
    assert [(r["region_code"], r["warning"]) for r in county["rows"]] == [("450102", 1)]


def test_city_supervisor_is_confined_to_its_city(world: Any, as_user: Any) -> None:
    city = as_user("supervisor-nanning")
    own = city.get(f"/api/v1/dashboard/overdue_tasks?{NOVEMBER}")
    assert own.status_code == 200 and [r["task_id"] for r in own.json["rows"]] == [world["u3"]]
    other = city.get(f"/api/v1/dashboard/overdue_tasks?region=450200&{NOVEMBER}")
    assert other.status_code == 403
    assert other.json["code"] == "dashboard_region_not_allowed" and "辖区" in other.json["message"]


def test_enterprise_user_is_refused_in_chinese(world: Any, as_user: Any) -> None:
    response = as_user("ent-nanning").get("/api/v1/dashboard/trend")
    assert response.status_code == 403 and response.json["code"] == "dashboard_not_allowed"
    assert as_user("supervisor").get("/api/v1/dashboard/nonsense").status_code == 404
    assert as_user("supervisor").get("/api/v1/dashboard?region=45").status_code == 422
    for code in ("999999", "450199"):  # well formed, but no such region: not an empty table that reads "no cases"
        unknown = as_user("supervisor").get(f"/api/v1/dashboard/open_cases?region={code}")
        assert unknown.status_code == 404 and unknown.json["code"] == "region_not_found", code
        assert code in unknown.json["message"]


def test_csv_export_parses_back_to_the_same_numbers(world: Any, as_user: Any) -> None:
    supervisor = as_user("supervisor")
    response = supervisor.get(f"/api/v1/dashboard/by_region/export?format=csv&{NOVEMBER}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "dashboard-by_region-450000-20261101-20261127.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    header, *lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:3] == ["地区代码", "地区", "办结数"]
    parsed = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    nanning = parsed["450100"]
    assert (int(nanning["办结数"]), float(nanning["按时办结率"]), float(nanning["办理时长中位数（小时）"]),
            float(nanning["办理时长P90（小时）"])) == (4, 0.5, 72.0, 146.4)
    overdue = supervisor.get(f"/api/v1/dashboard/overdue_tasks/export?{NOVEMBER}").data.decode("utf-8-sig")
    header, first, second = list(csv.reader(io.StringIO(overdue)))
    assert (first[header.index("超期天数（自然日）")], first[header.index("办理期限")]) == ("3", "2026-11-25 07:00")


def test_excel_export_parses_back_to_the_same_numbers(world: Any, as_user: Any) -> None:
    response = as_user("supervisor").get(f"/api/v1/dashboard/scorecard_reviewer/export?format=xlsx&{NOVEMBER}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["账号", "审核人员", "单位"]
    first = dict(zip(header, lines[0], strict=True))
    assert (first["账号"], first["办结环节数"], first["按时办结率"], first["黄牌合计"], first["红牌合计"]) == (
        "city-nanning", 4, 0.5, 1, 3)
    trend = as_user("supervisor").get(f"/api/v1/dashboard/trend/export?format=xlsx&{NOVEMBER}")
    rows = list(load_workbook(io.BytesIO(trend.data)).active.iter_rows(values_only=True))
    assert rows[-1][:4] == ("2026-11-23", 6, 0, 0) and len(rows) == 13


def test_overdue_list_shows_a_first_page_and_the_export_lists_everything(
        world: Any, as_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overdue, "OVERDUE_LIMIT", 1)
    supervisor = as_user("supervisor")
    page = supervisor.get(f"/api/v1/dashboard/overdue_cases?{NOVEMBER}").json
    assert (page["total"], len(page["rows"])) == (2, 1)
    exported = supervisor.get(f"/api/v1/dashboard/overdue_cases/export?{NOVEMBER}").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(exported)))) == 1 + 2


def test_exported_text_is_never_a_formula(world: Any, as_user: Any, app: Any) -> None:
    """A case title an applicant typed (=HYPERLINK...) is text in the CSV and in the Excel file, not a formula."""
    from app.extensions import db
    from app.models import Case

    payload = '=HYPERLINK("http://evil.example","点击")'
    with app.app_context():
        for case in db.session.query(Case).filter(Case.deadline_state == "overdue"):
            case.title = payload
        db.session.commit()
    csv_text = as_user("supervisor").get(f"/api/v1/dashboard/overdue_cases/export?{NOVEMBER}&format=csv")
    assert "'" + payload in csv_text.get_data(as_text=True).replace('""', '"')
    workbook = load_workbook(io.BytesIO(as_user("supervisor").get(
        f"/api/v1/dashboard/overdue_cases/export?{NOVEMBER}&format=xlsx").data))
    titles = [row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert titles and all(t == "'" + payload for t in titles)
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)
