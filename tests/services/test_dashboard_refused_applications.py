"""A refused application (不予) is decided: the dashboards count it 办结, on time or late, in the week of the
refusal, and it stays counted whatever the applicant does next. The applicant amended and applied again on the
same case, and the new application's timely decision overwrote the late refusal: the past week's 超期办结 dropped
to nothing and the case read 按时办结 with a handling time counted from the first application. A refusal the
applicant did not amend but withdrew left the figures too."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.deadlines import local

UNLOCK = {"kind": "duty_change", "reason": "项目负责人变更，需解除锁定"}
REFUSAL = {"decision": "reject", "comment": "不符合解锁条件", "reject_ground": "conditions_not_met"}
DECEMBER = DashboardRequest(first=date(2026, 12, 1), last=date(2026, 12, 31), weeks=4)


def _refused_late(app: Flask, ent: Any, city: Any, clock: Any) -> tuple[int, int]:
    """Submitted on Monday 2026-12-07 10:00 (due Thursday 17:30), refused on Friday 10:00: late."""
    lock_id = _lock_of(app, "覃丽")
    case_id = int(ent.start("personnel_unlock").json["id"])
    act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
    clock.move_to(local("2026-12-11 10:00"))
    act_ok(city, case_id, REFUSAL)
    assert city.case(case_id)["deadline_state"] == "completed_late"
    return case_id, lock_id


def _tables(app: Flask, actor: Any) -> tuple[dict[str, Any], dict[date, dict[str, Any]]]:
    with app.app_context():
        by_procedure = get_table(actor("supervisor"), "by_procedure", DECEMBER).rows
        trend = get_table(actor("supervisor"), "trend", DECEMBER).rows
    return (next(r for r in by_procedure if r["procedure"] == "personnel_unlock"),
            {r["week"]: r for r in trend})


def test_a_late_refusal_stays_counted_after_the_amended_application_is_approved_on_time(
        app: Flask, as_user: Any, actor: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-12-07 10:00")) as clock:
        case_id, lock_id = _refused_late(app, ent, city, clock)
        clock.move_to(local("2026-12-14 09:00"))  # amended and applied again the next Monday
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "reason": "补充说明：负责人已正式变更",
                              "application_files": [upload(ent, case_id, "申请表（修改后）.pdf")]})
        clock.move_to(local("2026-12-15 10:00"))  # approved the next day: on time
        act_ok(city, case_id, {"decision": "approve"})
        approved = city.case(case_id)
        clock.move_to(local("2026-12-16 10:00"))
        unlock, weeks = _tables(app, actor)
    assert approved["status"] == "completed" and approved["deadline_state"] == "completed_on_time"
    # Two applications decided: the refusal late, the approval on time.
    assert (unlock["completed"], unlock["on_time"], unlock["late"]) == (2, 1, 1)
    # Handling times from each application's receipt: 96 hours to the refusal, 25 to the approval (not the
    # 192 hours since the first application).
    assert unlock["median_hours"] == 60.5
    first, second = weeks[date(2026, 12, 7)], weeks[date(2026, 12, 14)]
    assert (first["received"], first["completed"], first["completed_late"]) == (1, 1, 1)
    assert (second["received"], second["completed"], second["completed_late"]) == (1, 1, 0)


def test_a_late_refusal_stays_counted_when_the_applicant_withdraws_instead_of_amending(
        app: Flask, as_user: Any, actor: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-12-07 10:00")) as clock:
        case_id, _ = _refused_late(app, ent, city, clock)
        clock.move_to(local("2026-12-14 09:00"))
        assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再申请"}).status_code == 200
        unlock, weeks = _tables(app, actor)
    assert (unlock["completed"], unlock["late"]) == (1, 1)
    assert weeks[date(2026, 12, 7)]["completed_late"] == 1


def test_a_case_withdrawn_before_any_decision_is_not_counted_finished(
        app: Flask, as_user: Any, actor: Any) -> None:
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-12-07 10:00")) as clock:
        lock_id = _lock_of(app, "覃丽")
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {**UNLOCK, "lock_ids": [lock_id], "application_files": [upload(ent, case_id)]})
        clock.move_to(local("2026-12-08 10:00"))
        assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再申请"}).status_code == 200
        with app.app_context():
            rows = get_table(actor("supervisor"), "by_procedure", DECEMBER).rows
        weeks = {r["week"]: r for r in get_table_rows(app, actor)}
    assert not any(r["procedure"] == "personnel_unlock" for r in rows)
    assert (weeks[date(2026, 12, 7)]["received"], weeks[date(2026, 12, 7)]["completed"]) == (1, 0)


def get_table_rows(app: Flask, actor: Any) -> list[dict[str, Any]]:
    with app.app_context():
        return get_table(actor("supervisor"), "trend", DECEMBER).rows
