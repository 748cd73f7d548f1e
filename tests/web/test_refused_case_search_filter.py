"""办件查询's 时限状态 filter on the applicant's side for a case refused back to him: the row reads 待修改后重新申请,
so the filter finds it under that choice and not under 按时办结 / 超期办结, in the list and in the export alike;
officials' filters and the API's deadline_state keep the authority's outcome."""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask

from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.web import WebUser

UNLOCK = {"kind": "duty_change", "reason": "项目负责人变更，需解除锁定"}


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-case-number="([^"]+)"', html)


def _exported(user: WebUser, query: str) -> list[str]:
    table = list(csv.reader(io.StringIO(user.get(f"/cases/export.csv?{query}").get_data().decode("utf-8-sig"))))
    return [row[0] for row in table[1:]]


def _refused_case(app: Flask, as_user: Any) -> tuple[int, str]:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {**UNLOCK, "lock_ids": [_lock_of(app, "覃丽")], "application_files": [upload(ent, case_id)]})
    act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件", "reject_ground": "conditions_not_met"})
    return case_id, str(ent.case(case_id)["number"])


def test_the_applicant_finds_a_refused_case_under_what_its_row_reads(app: Flask, as_user: Any) -> None:
    case_id, number = _refused_case(app, as_user)
    ent = WebUser(app, "ent-nanning").login()
    assert number in _rows(ent.html("/cases"))
    for state in ("completed_on_time", "completed_late"):
        assert number not in _rows(ent.html(f"/cases?deadline={state}")), state
        assert number not in _exported(ent, f"deadline={state}"), state
    page = ent.html("/cases?deadline=resubmit")
    assert _rows(page) == [number]
    assert '<option value="resubmit" selected>' in page and "待修改后重新申请" in page
    assert _exported(ent, "deadline=resubmit") == [number]


def test_officials_and_the_api_keep_the_authority_s_outcome(app: Flask, as_user: Any) -> None:
    case_id, number = _refused_case(app, as_user)
    city = WebUser(app, "city-nanning").login()
    assert number in _rows(city.html("/cases?deadline=completed_on_time"))
    assert number in _exported(city, "deadline=completed_on_time")
    page = city.html("/cases")
    assert 'value="resubmit"' not in page  # no such choice for officials: they read the outcome
    assert number in _rows(city.html("/cases?deadline=resubmit"))  # an unknown choice is ignored, as before
    listed = as_user("ent-nanning").get("/api/v1/cases?deadline_state=completed_on_time").json
    assert case_id in [item["id"] for item in listed["items"]]
