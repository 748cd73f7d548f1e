"""An analyst designs procedures: the dashboard's figures, yes; cases and the people in them, no."""
from __future__ import annotations

from typing import Any

from tests.api.test_case_lifecycle import start_and_submit
from tests.support.factories import NOVEMBER_QUERY as NOVEMBER


def test_an_analyst_sees_no_case_nor_personal_record(as_user: Any) -> None:
    ent, analyst, province = as_user("ent-nanning"), as_user("analyst"), as_user("province")
    case_id, _ = start_and_submit(ent)
    assert province.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert analyst.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert analyst.get("/api/v1/cases").json["items"] == []
    for records in ("persons", "enterprises", "projects", "locks", "performance-records"):
        assert analyst.get(f"/api/v1/records/{records}").json["items"] == [], records
    assert analyst.get("/api/v1/procedures").status_code == 200
    assert analyst.get("/api/v1/dashboard").status_code == 200  # the aggregates stay open to him


def test_the_analysts_dashboard_and_exports_name_no_case_and_no_person(world: Any, as_user: Any) -> None:
    """The same tables as a supervisor's, without case numbers, titles, current steps and who holds what; the
    reviewers' scorecard (a table of persons) is not his at all."""
    query = f"/api/v1/dashboard?{NOVEMBER}"
    supervisor = {t["name"]: t for t in as_user("supervisor").get(query).json["tables"]}
    analyst = {t["name"]: t for t in as_user("analyst").get(query).json["tables"]}
    assert "scorecard_reviewer" in supervisor and "scorecard_reviewer" not in analyst
    for name in ("overdue_tasks", "overdue_cases", "warning_cases"):
        keys = {c["key"] for c in analyst[name]["columns"]}
        assert not keys & {"case_number", "title", "holder", "current_step"}, name
        assert all(not set(row) & {"case_id", "case_number", "title", "holder", "holder_id", "task_id"}
                   for row in analyst[name]["rows"]), name
        assert [r["due_at"] for r in analyst[name]["rows"]] == [r["due_at"] for r in supervisor[name]["rows"]]
    assert supervisor["overdue_tasks"]["rows"][0]["case_number"]  # the supervisor's list names them
    exported = as_user("analyst").get(f"/api/v1/dashboard/overdue_tasks/export?{NOVEMBER}&format=csv")
    assert exported.status_code == 200
    text = exported.get_data(as_text=True)
    assert supervisor["overdue_tasks"]["rows"][0]["case_number"] not in text and "办理人" not in text
    assert as_user("analyst").get(f"/api/v1/dashboard/scorecard_reviewer?{NOVEMBER}").status_code == 404
