"""Search days far off the calendar through the API (9999-12-31 typed for "no end date"): taken as no bound, never
a 500; a calendar day so far off is refused, where a day on from it would overflow."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from app.errors import RuleViolation
from app.extensions import db
from app.models import CalendarDay
from app.services.deadlines import calendar_admin
from tests.services.test_deadlines_calendar import _submit_unlock


def test_the_case_search_takes_a_far_received_day_as_no_bound(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _submit_unlock(app, ent)
    for query in ("received_to=9999-12-31", "received_from=0001-01-01",
                  "received_from=1000-01-01&received_to=3000-01-01"):
        answer = ent.get(f"/api/v1/cases?{query}")
        assert answer.status_code == 200, query
        assert case_id in [c["id"] for c in answer.json["items"]], query
    assert case_id not in [c["id"] for c in ent.get("/api/v1/cases?received_from=9999-12-31").json["items"]]


def test_the_audit_log_searches_and_exports_up_to_a_far_day(as_user: Any) -> None:
    auditor = as_user("auditor")
    for query in ("last=9999-12-31", "first=0001-01-01", "first=0001-01-01&last=9999-12-31"):
        page = auditor.get(f"/api/v1/audit?{query}")
        assert page.status_code == 200 and page.json["total"] > 0, query
        export = auditor.get(f"/api/v1/audit/export?{query}")
        assert export.status_code == 200 and export.get_data(as_text=True).count("\n") > 1, query


def test_a_calendar_day_at_the_end_of_the_calendar_is_refused_before_anything_is_computed(app: Flask) -> None:
    """`flask calendar set 9999-12-31 holiday` (or 0001-01-01, or a clear of either): refused with the range, as the
    page refuses it, before a day on from it could overflow; nothing saved."""
    with app.app_context():
        for day in (date.max, date.min):
            with pytest.raises(RuleViolation) as refused:
                calendar_admin.set_day(None, day, False, "永久")
            assert refused.value.code == "calendar_day_out_of_range"
            with pytest.raises(RuleViolation) as refused:
                calendar_admin.clear_day(None, day)
            assert refused.value.code == "calendar_day_out_of_range"
            assert db.session.get(CalendarDay, day) is None
