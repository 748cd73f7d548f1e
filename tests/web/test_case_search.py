"""办件查询: by applicant, person, project, region, deadline state and day received; the deadline in working
days; CSV / Excel export; the API's query parameters; each role finds only the cases it may see."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Case, Person, Project
from tests.support.web import WebUser
from tests.web.test_pages import case_number, started_and_submitted


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-case-number="([^"]+)"', html)


def _subjects(app: Any, case_id: int) -> tuple[str, str, str]:
    """(the person's name named in the case title, its ID number, the project's code)."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        person = next(p for p in db.session.scalars(select(Person)) if p.name in case.title)
        project = next(p for p in db.session.scalars(select(Project)) if p.name in case.title)
        return person.name, person.id_number, project.code


def test_city_finds_a_case_by_applicant_person_project_and_sees_working_days_left(
        web: Callable[[str], WebUser], app: Any) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)
    name, id_number, project_code = _subjects(app, case_id)
    city = web("city-nanning")
    for query in ("applicant=邕城建设", "applicant=91450100MA5KAB123", f"person={name}", f"person={id_number}",
                  f"project={project_code}", "procedure=personnel_unlock", "region=450100", "deadline=on_time",
                  "status=running"):
        assert rows(city.html(f"/cases?{query}")) == [number], query
    for query in ("applicant=龙城", "person=莫燕", "region=450200", "deadline=overdue", "from=2000-01-01&to=2000-01-02",
                  "project=不存在的项目"):
        assert rows(city.html(f"/cases?{query}")) == [], query
    html = city.html(f"/cases?person={name}")
    cell = re.search(r'data-testid="case-deadline">(.*?)</td>', html, re.S).group(1)  # type: ignore[union-attr]
    assert re.search(r"剩余 \d 个工作日|今日到期", cell), cell  # not "剩余 4 天 19 小时"
    assert "天" not in re.sub(r"<[^>]+>", "", cell).split("（")[-1]


def test_each_role_finds_only_its_own_cases(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)
    assert rows(ent.html("/cases?applicant=邕城")) == [number]
    for other in ("ent-liuzhou", "city-liuzhou", "person"):
        assert rows(web(other).html("/cases?applicant=邕城")) == [], other
    assert rows(web("province").html("/cases?applicant=邕城")) == [number]


def test_export_csv_and_xlsx_of_the_search(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    number = case_number(ent, case_id)
    city = web("city-nanning")
    assert 'data-export="csv"' in city.html("/cases?applicant=邕城")
    response = city.get("/cases/export.csv?applicant=邕城")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert table[0][:4] == ["办件编号", "事项", "办件标题", "申请单位"] and "剩余时间" in table[0]
    assert [r[0] for r in table[1:]] == [number]
    assert table[1][3] == "广西邕城建设集团有限公司"
    book = load_workbook(io.BytesIO(city.get("/cases/export.xlsx?applicant=邕城").get_data()))
    sheet = book.active
    assert sheet is not None and sheet["A2"].value == number
    assert city.get("/cases/export.csv?applicant=龙城").get_data().decode("utf-8-sig").count("\n") == 1  # header
    assert web("ent-liuzhou").get("/cases/export.csv?applicant=邕城").get_data().decode("utf-8-sig").count("\n") == 1
    assert city.get("/cases/export.pdf").status_code == 404
    city.get("/lang/en")  # the English export names the case and its current step in English too
    english = list(csv.reader(io.StringIO(city.get("/cases/export.csv?applicant=邕城").get_data().decode("utf-8-sig"))))
    row = dict(zip(english[0], english[1], strict=True))
    assert row["Current step"] == "Review the unlock request" and row["Case title"].startswith("Personnel unlock")


def test_export_cells_are_safe_from_formulas(web: Callable[[str], WebUser], app: Any) -> None:
    ent, case_id, _ = started_and_submitted(web)
    with app.app_context():
        db.session.get(Case, case_id).title = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    text = web("city-nanning").get("/cases/export.csv?applicant=邕城").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][2] == "'=HYPERLINK(\"http://evil\")"


def test_api_searches_with_query_parameters(web: Callable[[str], WebUser], as_user: Any, app: Any) -> None:
    ent, case_id, _ = started_and_submitted(web)
    name, _id, _code = _subjects(app, case_id)
    city = as_user("city-nanning")
    found = city.get(f"/api/v1/cases?person={name}&applicant=邕城&deadline_state=on_time&sort=due").json
    assert [c["id"] for c in found["items"]] == [case_id] and found["items"][0]["due_at"]
    assert as_user("city-liuzhou").get(f"/api/v1/cases?person={name}").json["items"] == []
    assert city.get("/api/v1/cases?region=abc").status_code == 422
    assert city.get("/api/v1/cases?received_from=2000-01-01&received_to=2000-01-02").json["items"] == []
    spec = city.get("/api/v1/openapi.json").json
    names = {p["name"] for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert {"applicant", "person", "project", "region", "received_from", "received_to", "deadline_state"} <= names
