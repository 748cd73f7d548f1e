"""Dashboard facts the app itself writes: when a case was received (not when its draft was opened), the
statutory flag from the case's clock (tasks carry none), and the cases in warning (黄牌) of a region."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from freezegun import freeze_time

from app.db import unit_of_work
from app.extensions import db
from app.models import Case, CaseClock, CaseStatus
from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok
from tests.services.test_dashboard import NOVEMBER
from tests.services.test_dashboard import table as rows
from tests.support.deadlines import deploy_probes
from tests.support.deadlines import local as beijing
from tests.support.factories import SLA_NOW, local, make_case, make_task


# -- received ------------------------------------------------------------------------------------
def test_the_app_records_receipt_at_submission_not_when_the_draft_is_opened(app: Any, as_user: Any) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(beijing("2026-03-02 09:00")) as clock:
        draft = ent.start("clock_probe").json["id"]
        submitted = ent.start("clock_probe").json["id"]
        clock.move_to(beijing("2026-03-03 11:00"))
        act_ok(ent, submitted, {"note": "申请"})
        withdrawn = ent.start("clock_probe").json["id"]
        assert ent.post(f"/api/v1/cases/{withdrawn}/withdraw", {"reason": "不办了"}).status_code == 200
    with app.app_context():
        received = {case_id: db.session.get(Case, case_id).received_at for case_id in (draft, submitted, withdrawn)}
        clock_start = db.session.get(CaseClock, submitted).started_at
    assert received[draft] is None and received[withdrawn] is None  # never submitted
    assert received[submitted] == beijing("2026-03-03 11:00") == clock_start


def test_drafts_are_neither_received_nor_open_work(world: Any, actor: Any) -> None:
    with unit_of_work():
        for status in (CaseStatus.RUNNING, CaseStatus.WITHDRAWN):  # opened in November, never submitted
            draft = make_case(region="450100", status=status, created_at=local("2026-11-24 09:00"), received_at=None)
            make_task(draft, "submit_request", "填写解锁申请", region=None, role="enterprise",
                      status="open" if status == CaseStatus.RUNNING else "cancelled")
    trend = {r["week"]: r["received"] for r in rows(actor("supervisor"), "trend")}
    assert trend[date(2026, 11, 23)] == 6  # the drafts are not counted
    open_cases = {r["region_code"]: r for r in rows(actor("supervisor"), "open_cases")}
    assert (open_cases["450100"]["no_limit"], open_cases["450100"]["total"]) == (1, 4)


def test_handling_time_runs_from_receipt(world: Any, actor: Any) -> None:
    with unit_of_work():  # the applicant opened the draft the Friday before and submitted it on Wednesday
        make_case("draft_probe", "450200", CaseStatus.COMPLETED, created_at=local("2026-11-13 10:00"),
                  received_at=local("2026-11-18 10:00"), completed_at=local("2026-11-18 22:00"),
                  deadline_state="completed_on_time")
    probe = {r["procedure"]: r for r in rows(actor("supervisor"), "by_procedure")}["draft_probe"]
    assert (probe["completed"], probe["median_hours"], probe["p90_hours"]) == (1, 12.0, 12.0)
    trend = {r["week"]: r["received"] for r in rows(actor("supervisor"), "trend")}
    assert (trend[date(2026, 11, 9)], trend[date(2026, 11, 16)]) == (2, 3)  # counted in the week it was submitted


# -- statutory -------------------------------------------------------------------------------------
def test_statutory_flag_of_an_overdue_step_comes_from_its_case(world: Any, actor: Any) -> None:
    tasks = {r["task_id"]: r["statutory_overdue"] for r in rows(actor("supervisor"), "overdue_tasks")}
    assert (tasks[world["u3"]], tasks[world["u5"]]) == ("否", "是")  # the tasks themselves carry no statutory limit


def test_a_clock_paused_before_the_statutory_moment_has_not_reached_it(world: Any, actor: Any) -> None:
    with unit_of_work():
        for paused_before in (True, False):
            statutory = SLA_NOW - timedelta(hours=5)
            case = make_case(region="450200", created_at=local("2026-11-02 10:00"), deadline_state="paused",
                             due_at=SLA_NOW - timedelta(days=1), statutory_due_at=statutory,
                             status=CaseStatus.RUNNING)
            db.session.add(CaseClock(case_id=case.id, started_at=local("2026-11-02 10:00"),
                                     committed_limit="3 working days", statutory_limit="20 working days",
                                     paused_at=statutory - timedelta(hours=1 if paused_before else -1),
                                     pause_reason="excluded"))
            task = make_task(case, "expert", "专家评审", deadline_state="overdue", due_at=SLA_NOW - timedelta(days=1),
                             created_at=local("2026-11-20 10:00"))
            if paused_before:
                before = task.id
            else:
                after = task.id
    flags = {r["task_id"]: r["statutory_overdue"] for r in rows(actor("supervisor"), "overdue_tasks")}
    assert (flags[before], flags[after]) == ("否", "是")


# -- warning list ------------------------------------------------------------------------------------
def test_a_county_lists_its_cases_in_warning(world: Any, actor: Any) -> None:
    county = DashboardRequest(region="450102", first=NOVEMBER.first, last=NOVEMBER.last)
    listed = rows(actor("supervisor"), "warning_cases", county)
    assert [r["case_id"] for r in listed] == [world["o2"]]
    assert listed[0]["region_name"] == "兴宁区"
    assert [r["case_id"] for r in rows(actor("supervisor"), "warning_cases")] == [world["o2"]]  # province too
    assert rows(actor("supervisor"), "warning_cases", DashboardRequest(region="450200")) == []
    complete = get_table(actor("supervisor"), "warning_cases", county, now=SLA_NOW, complete=True)
    assert complete.total == 1 and len(complete.rows) == 1
