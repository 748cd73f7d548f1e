"""The case page's clock rows (承诺时限 / 法定时限 / 计时状态) of a case refused back to its applicant: the applicant's
side reads it as waiting for his amended application, as 办件查询 does, not as finished (按时办结, the decision
stopped the authority's clock); officials keep the outcome."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.web import WebUser

UNLOCK = {"kind": "duty_change", "reason": "项目负责人变更，需解除锁定"}
DUE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _clock_text(html: str) -> str:
    """The text of the case summary's clock rows, from the first deadline to the current step."""
    summary = html.split('id="summary-heading"', 1)[1].split("当前步骤", 1)[0]
    clock = summary.split("-deadline", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", clock))


def test_the_applicant_s_case_page_reads_a_refused_case_as_waiting_for_his_amended_application(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {**UNLOCK, "lock_ids": [_lock_of(app, "覃丽")], "application_files": [upload(ent, case_id)]})
    act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件", "reject_ground": "conditions_not_met"})
    mine = _clock_text(WebUser(app, "ent-nanning").login().html(f"/cases/{case_id}"))
    theirs = _clock_text(WebUser(app, "city-nanning").login().html(f"/cases/{case_id}"))
    assert "待修改后重新申请" in mine and "修改后重新申请时重新计时" in mine
    assert "不予决定，等待申请人修改后重新申请" in mine
    assert "按时办结" not in mine and "已作出决定，停止计时" not in mine
    assert "剩余" not in mine and "已超期" not in mine
    # no old due time: the only time left is when the refusal stopped the clock (自 … 起)
    assert len(DUE.findall(mine)) == 1, mine
    assert "按时办结" in theirs and "已作出决定，停止计时" in theirs and "待修改后重新申请" not in theirs
    assert ent.case(case_id)["deadline_state"] == "completed_on_time"  # the API's value is unchanged
