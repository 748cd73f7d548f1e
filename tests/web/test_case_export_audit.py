"""办件查询's exports are in the audit log, as the dashboard's are: who exported, the format, the search and the
number of rows, never the words that may name a person."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from tests.support.web import WebUser
from tests.web.test_pages import started_and_submitted


def _exports(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cases.exported")
                                       .order_by(AuditEntry.id)))
        db.session.expunge_all()
        return rows


def test_a_case_export_is_audited_with_its_search_and_row_count(app: Flask, web: Callable[[str], WebUser]) -> None:
    """QA: /cases/export.csv and .xlsx recorded nothing, while README says every export is in the audit log."""
    started_and_submitted(web)
    city = web("city-nanning")
    assert city.get("/cases/export.csv?applicant=邕城&status=running&person=陆伟").status_code == 200
    assert city.get("/cases/export.xlsx?region=450100").status_code == 200
    csv_export, xlsx_export = _exports(app)[-2:]
    assert (csv_export.actor_name, csv_export.object_type, csv_export.source_ip) == ("city-nanning", "case_search",
                                                                                    "127.0.0.1")
    assert csv_export.details["format"] == "csv" and csv_export.details["rows"] == 1
    # the search as typed, but whom it named only as given: no personal data in the log
    assert csv_export.details["search"] == {"status": "running", "applicant": True, "person": True}
    assert "陆伟" not in str(csv_export.details) and "邕城" not in str(csv_export.details)
    assert xlsx_export.details["format"] == "xlsx" and xlsx_export.details["search"] == {"region": "450100"}
    assert xlsx_export.details["rows"] >= 1 and xlsx_export.seq is not None  # sealed with the request's commit
