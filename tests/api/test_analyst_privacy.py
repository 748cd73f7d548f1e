"""An analyst designs procedures: the dashboard's figures, yes; cases and the people in them, no."""
from __future__ import annotations

from typing import Any

from tests.api.test_case_lifecycle import start_and_submit


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
