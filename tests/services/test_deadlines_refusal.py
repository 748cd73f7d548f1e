"""A refusal (不予) back to the applicant is a decision: the clock stops there (on time or late, counted 办结 by the
dashboard), and the amended application starts its limit afresh. It was handled as a 补正: the clock paused and
the amended application had only what was left of the 3 working days (8.5 hours in the QA's case)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.deadlines import events, local, utc_iso
from tests.support.web import WebUser

UNLOCK = {"kind": "duty_change", "reason": "项目负责人变更，需解除锁定"}


def test_a_refusal_stops_the_clock_and_the_amended_application_gets_a_fresh_limit(
        app: Flask, as_user: Any, actor: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "覃丽")
    with freeze_time(local("2026-12-07 10:00")) as clock:  # Monday: due Thursday 17:30
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
        assert ent.case(case_id)["due_at"] == utc_iso("2026-12-10 17:30")
        clock.move_to(local("2026-12-09 15:00"))  # refused on Wednesday, on time
        act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件",
                               "reject_ground": "conditions_not_met"})
        refused = city.case(case_id)
        clock.move_to(local("2026-12-11 10:00"))  # while the refusal stands: decided on time, counted 办结
        with app.app_context():
            rows = get_table(actor("supervisor"), "by_procedure",
                             DashboardRequest(first=date(2026, 12, 1), last=date(2026, 12, 11))).rows
        clock.move_to(local("2026-12-14 09:00"))  # amended and applied again the next Monday
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "reason": "补充说明：负责人已正式变更",
                              "application_files": [upload(ent, case_id, "申请表（修改后）.pdf")]})
        again = city.case(case_id)
    assert refused["status"] == "waiting_for_applicant" and refused["deadline_state"] == "completed_on_time"
    assert events(refused, "clock_") == ["clock_started", "clock_stopped"]
    assert [e["payload"] for e in refused["history"] if e["kind"] == "clock_stopped"] == [{"reason": "refused"}]
    # Three working days from the new application (Tue, Wed, Thu), not what was left of the first.
    assert again["due_at"] == utc_iso("2026-12-17 17:30") and again["deadline_state"] == "on_time"
    [review] = again["open_tasks"]
    assert review["due_at"] == utc_iso("2026-12-17 17:30")
    resumed = [e["payload"] for e in again["history"] if e["kind"] == "clock_resumed"]
    assert resumed == [{"reason": "refused", "mode": "restart"}]
    unlock = next(r for r in rows if r["procedure"] == "personnel_unlock")
    assert (unlock["completed"], unlock["on_time"]) == (1, 1)


def test_the_timeline_says_the_refusal_stopped_the_clock_and_the_new_application_restarted_it(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "覃丽")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
    act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件", "reject_ground": "conditions_not_met"})
    page = WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
    assert "不予决定已作出：申请人可修改后重新申请，届时重新计时" in page


def test_the_applicant_reads_a_refused_case_as_waiting_for_his_amended_application_not_as_finished(
        app: Flask, as_user: Any) -> None:
    """The refusal stopped the authority's clock with an outcome (按时办结), which the officials' list shows; the
    applicant's list and export said 按时办结 too, as if his case were finished while it waits for him."""
    from tests.web.test_stopped_clock_display import exported, list_cell
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    lock_id = _lock_of(app, "覃丽")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
    act_ok(city, case_id, {"decision": "reject", "comment": "不符合解锁条件", "reject_ground": "conditions_not_met"})
    number = ent.case(case_id)["number"]
    applicant, official = WebUser(app, "ent-nanning").login(), WebUser(app, "city-nanning").login()
    mine, theirs = list_cell(applicant.html("/cases"), number), list_cell(official.html("/cases"), number)
    assert "待修改后重新申请" in mine and "修改后重新申请时重新计时" in mine
    assert "按时办结" not in mine and "剩余" not in mine
    assert "按时办结" in theirs
    assert exported(applicant, number)["时限状态"] == "待修改后重新申请"
    assert exported(official, number)["时限状态"] == "按时办结"
