"""Exports show an official no more of the personal data an enterprise typed as free text than the pages do: the
case search's CSV / Excel and the dashboard's exports carry no comment, reason or prose field, so the resident ID
number and phone the enterprise wrote in its 申请理由 and its comment (which the case page masks) appear in none of
them, unmasked. The case's title (a procedure name and the names it concerns, not free text) reads as on the pages."""
from __future__ import annotations

import io
from typing import Any

from flask import Flask
from freezegun import freeze_time
from openpyxl import load_workbook

from app.jobs.sla import refresh_deadline_states
from app.services.dashboard import TABLES
from tests.api.test_free_text_masking import COMMENT, ENT_COMMENT, ID_NUMBER, PHONE, REASON
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.deadlines import local
from tests.support.web import WebUser

UNMASKED = (ID_NUMBER, PHONE, "0771-0101")


def _late_returned_unlock(app: Flask, ent: Any, city: Any) -> int:
    """ent-nanning asks to unlock 陆伟 with personal data in its reason and a comment; the city returns it (补正)
    long after its limit passed, so that it stands on the dashboard's red lists too."""
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {"kind": "penalty", "lock_ids": [_lock_of(app, "陆伟")], "reason": REASON,
                              "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                              "penalty_files": [upload(ent, case_id, "处罚决定书.pdf")]})
        assert WebUser(app, "ent-nanning").login().post(f"/cases/{case_id}/comments",
                                                        {"comment": ENT_COMMENT}).status_code == 302
        clock.move_to(local("2026-04-20 10:00"))
        with app.app_context():
            refresh_deadline_states()
        act_ok(city, case_id, {"decision": "return", "comment": COMMENT, "missing_items": ["penalty_files"]})
    return case_id


def _xlsx_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return "\n".join(",".join(str(v) for v in row if v is not None) for row in sheet.iter_rows(values_only=True))


def test_no_export_shows_an_official_the_enterprise_s_typed_id_number_or_phone(as_user: Any, app: Flask) -> None:
    case_id = _late_returned_unlock(app, as_user("ent-nanning"), as_user("city-nanning"))
    with freeze_time(local("2026-04-21 10:00")):
        city = WebUser(app, "city-nanning").login()
        page = city.html(f"/cases/{case_id}")
        number = as_user("city-nanning").get(f"/api/v1/cases/{case_id}").json["number"]
        exports = {fmt: city.get(f"/cases/export.{fmt}?procedure=personnel_unlock") for fmt in ("csv", "xlsx")}
        supervisor = WebUser(app, "supervisor").login()
        dashboard = {(name, fmt): supervisor.get(f"/dashboard/export/{name}.{fmt}?region=450100")
                     for name in TABLES for fmt in ("csv", "xlsx")}
    assert "联系电话139****5678，身份证4501**********0022" in page  # the page masks the reason
    texts = {"cases.csv": exports["csv"].get_data().decode("utf-8-sig"),
             "cases.xlsx": _xlsx_text(exports["xlsx"].get_data())}
    assert number in texts["cases.csv"] and number in texts["cases.xlsx"]
    for (name, fmt), response in dashboard.items():
        assert response.status_code == 200, name
        texts[f"{name}.{fmt}"] = (response.get_data().decode("utf-8-sig") if fmt == "csv"
                                  else _xlsx_text(response.get_data()))
    assert number in texts["overdue_cases.csv"]  # the case is on the red list the export carries
    for name, text in texts.items():
        for unmasked in UNMASKED:
            assert unmasked not in text, (name, unmasked)
