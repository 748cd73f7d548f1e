"""The SLA dashboard's numbers on a hand-built world (tests/support/factories.py), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.db import unit_of_work
from app.errors import NotAllowed
from app.services.dashboard import DashboardRequest, get_table, performance
from app.services.dashboard.performance import step_owners
from app.services.dashboard.sql import is_postgres, percentile_cont
from tests.support.factories import SLA_NOW, hours_later, local, make_case, make_task

NOVEMBER = DashboardRequest(first=date(2026, 11, 1), last=date(2026, 11, 27))


def table(actor: Any, name: str, request: DashboardRequest = NOVEMBER) -> list[dict[str, Any]]:
    return get_table(actor, name, request, now=SLA_NOW).rows


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_on_time_rate_median_and_p90_per_procedure(world: Any, actor: Any) -> None:
    rows = by(table(actor("supervisor"), "by_procedure"), "procedure")
    unlock = rows["personnel_unlock"]
    assert (unlock["completed"], unlock["measured"], unlock["on_time"], unlock["late"]) == (5, 4, 3, 1)
    assert unlock["on_time_rate"] == 0.75
    assert (unlock["median_hours"], unlock["p90_hours"]) == (30.0, 120.0)  # of 12, 24, 30, 48, 168 hours
    upgrade = rows["project_upgrade"]
    assert (upgrade["completed"], upgrade["on_time_rate"], upgrade["median_hours"]) == (1, 0.0, 96.0)
    assert upgrade["procedure_name"] == "项目数据升级"


def test_per_region_drills_from_province_to_cities_and_from_city_to_counties(world: Any, actor: Any) -> None:
    province = by(table(actor("supervisor"), "by_region"), "region_code")
    assert set(province) == {"450100", "450200"}
    nanning = province["450100"]
    assert (nanning["completed"], nanning["on_time_rate"], nanning["median_hours"], nanning["p90_hours"]) == (
        4, 0.5, 72.0, 146.4)
    assert province["450200"]["region_name"] == "柳州市"
    city = by(table(actor("supervisor"), "by_region", DashboardRequest(region="450100", first=NOVEMBER.first,
                                                                       last=NOVEMBER.last)), "region_code")
    assert set(city) == {"450100", "450102"}
    assert city["450100"]["region_name"] == "南宁市（本级）"
    assert (city["450100"]["completed"], city["450100"]["on_time_rate"], city["450100"]["p90_hours"]) == (
        3, 0.3333, 153.6)
    assert (city["450102"]["completed"], city["450102"]["median_hours"]) == (1, 30.0)


def test_per_step_counts_authority_steps_only(world: Any, actor: Any) -> None:
    rows = by(table(actor("supervisor"), "by_step"), "step")
    assert set(rows) == {"review_request", "city_review"}  # the applicant's own step is not supervised
    review = rows["review_request"]
    assert review["step_title"] == "审核解锁申请"
    assert (review["completed"], review["on_time_rate"], review["median_hours"], review["p90_hours"]) == (
        4, 0.75, 37.0, 130.0)
    assert (rows["city_review"]["procedure"], rows["city_review"]["late"]) == ("project_upgrade", 1)


def test_open_cases_and_tasks_by_procedure_region_and_state(world: Any, actor: Any) -> None:
    cases = by(table(actor("supervisor"), "open_cases"), "region_code")
    assert {k: cases["450100"][k] for k in ("on_time", "warning", "overdue", "paused", "no_limit", "total")} == {
        "on_time": 1, "warning": 1, "overdue": 1, "paused": 0, "no_limit": 1, "total": 4}
    assert (cases["450200"]["paused"], cases["450200"]["overdue"], cases["450200"]["total"]) == (1, 1, 2)
    tasks = by(table(actor("supervisor"), "open_tasks"), "region_code")
    assert (tasks["450100"]["total"], tasks["450100"]["warning"], tasks["450200"]["total"]) == (4, 1, 1)


def test_overdue_now_lists_holder_and_days_late_longest_first(world: Any, actor: Any) -> None:
    result = get_table(actor("supervisor"), "overdue_tasks", NOVEMBER, now=SLA_NOW)
    assert result.total == 2
    first, second = result.rows
    assert (first["task_id"], first["holder"], first["days_late"], first["statutory_overdue"]) == (
        world["u3"], "南宁市住建局·审核员", 3, "否")
    assert (second["task_id"], second["holder"], second["days_late"], second["statutory_overdue"]) == (
        world["u5"], "待领取（市级审核人员）", 1, "是")
    cases = table(actor("supervisor"), "overdue_cases")
    assert [(c["case_id"], c["days_late"]) for c in cases] == [(world["o3"], 3), (world["o5"], 1)]


def test_weekly_trend_buckets_by_china_week(world: Any, actor: Any) -> None:
    rows = by(table(actor("supervisor"), "trend"), "week")
    assert len(rows) == 12 and min(rows) == date(2026, 9, 7) and max(rows) == date(2026, 11, 23)
    received = {w: r["received"] for w, r in rows.items() if r["received"]}
    assert received == {date(2026, 9, 28): 1, date(2026, 11, 2): 3, date(2026, 11, 9): 2,
                        date(2026, 11, 16): 2, date(2026, 11, 23): 6}  # 06:00 Monday China time is Sunday UTC
    completed = {w: (r["completed"], r["completed_late"]) for w, r in rows.items() if r["completed"]}
    assert completed == {date(2026, 10, 19): (1, 0), date(2026, 11, 2): (2, 0), date(2026, 11, 9): (3, 1),
                         date(2026, 11, 16): (1, 1)}
    assert rows[date(2026, 11, 9)]["late_rate"] == 0.3333


def test_scorecard_per_authority_counts_yellow_and_red_cards(world: Any, actor: Any) -> None:
    rows = by(table(actor("supervisor"), "scorecard_authority"), "region_code")
    nanning = rows["450100"]
    assert {k: nanning[k] for k in ("completed", "on_time", "on_time_rate", "open", "yellow_completed",
                                    "yellow_open", "red_completed", "red_open", "yellow", "red")} == {
        "completed": 4, "on_time": 2, "on_time_rate": 0.5, "open": 4, "yellow_completed": 1, "yellow_open": 1,
        "red_completed": 2, "red_open": 1, "yellow": 2, "red": 3}
    assert (rows["450200"]["red"], rows["450200"]["yellow"], rows["450200"]["on_time_rate"]) == (1, 0, 1.0)


def test_scorecard_per_reviewer_worst_first(world: Any, actor: Any) -> None:
    rows = table(actor("supervisor"), "scorecard_reviewer")
    assert [r["username"] for r in rows] == ["city-nanning", "", "city-liuzhou"]
    nanning, unclaimed, liuzhou = rows
    assert (nanning["completed"], nanning["open"], nanning["yellow"], nanning["red"]) == (4, 3, 1, 3)
    assert (unclaimed["reviewer"], unclaimed["open"], unclaimed["yellow"], unclaimed["red"]) == ("（未领取）", 2, 1, 1)
    assert (liuzhou["completed"], liuzhou["on_time_rate"], liuzhou["red"]) == (1, 1.0, 0)


def test_city_supervisor_sees_only_its_city_and_counties(world: Any, actor: Any) -> None:
    city = actor("supervisor-nanning")
    assert {r["region_code"] for r in table(city, "by_region")} == {"450100", "450102"}
    unlock = by(table(city, "by_procedure"), "procedure")["personnel_unlock"]
    assert (unlock["completed"], unlock["on_time_rate"], unlock["median_hours"], unlock["p90_hours"]) == (
        3, 0.6667, 48.0, 144.0)
    assert [r["task_id"] for r in table(city, "overdue_tasks")] == [world["u3"]]
    unclaimed = by(table(city, "scorecard_reviewer"), "username")[""]
    assert (unclaimed["yellow"], unclaimed["red"]) == (1, 0)
    with pytest.raises(NotAllowed):
        get_table(city, "by_region", DashboardRequest(region="450200"), now=SLA_NOW)
    with pytest.raises(NotAllowed):
        get_table(city, "by_region", DashboardRequest(region="450000"), now=SLA_NOW)


def test_enterprise_users_and_plain_city_reviewers_may_not_see_it(world: Any, actor: Any) -> None:
    with pytest.raises(NotAllowed):
        get_table(actor("ent-nanning"), "trend", NOVEMBER, now=SLA_NOW)
    assert table(actor("city-nanning"), "open_cases")  # a lead of its city may
    assert table(actor("province"), "open_cases")  # the province's reviewers may


def test_step_of_an_id_unique_to_one_procedure_is_read_without_the_case(world: Any, actor: Any) -> None:
    """A step id that only one deployed procedure uses is grouped by id alone: same numbers, diagram title."""
    owners = {b: next(iter(o.items())) for b, o in step_owners().items() if len(o) == 1}
    bpmn_id, (procedure, title) = sorted(owners.items())[0]
    with unit_of_work():
        case = make_case(procedure, "450200", "completed", created_at=local("2026-11-20 08:00"),
                         completed_at=local("2026-11-21 08:00"), deadline_state="completed_on_time")
        for hours, state in ((10, "completed_on_time"), (30, "completed_late")):
            make_task(case, bpmn_id, "旧标题", "completed", completed_by="city-liuzhou", deadline_state=state,
                      created_at=local("2026-11-20 08:00"), completed_at=hours_later(local("2026-11-20 08:00"), hours))
    row = by(table(actor("supervisor"), "by_step"), "step")[bpmn_id]
    assert (row["procedure"], row["step_title"]) == (procedure, title)
    assert (row["completed"], row["on_time_rate"], row["median_hours"], row["p90_hours"]) == (2, 0.5, 20.0, 28.0)
    assert by(table(actor("supervisor"), "by_step"), "step")["review_request"]["completed"] == 4


def test_sqlite_percentiles_follow_percentile_cont_and_stay_empty_beyond_the_bound(
        world: Any, actor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7.0], 0.9) == 7.0
    assert percentile_cont([12.0, 24.0, 30.0, 48.0, 168.0], 0.9) == pytest.approx(120.0)
    monkeypatch.setattr(performance, "SQLITE_PERCENTILE_ROWS", 3)
    unlock = by(table(actor("supervisor"), "by_procedure"), "procedure")["personnel_unlock"]
    assert unlock["on_time_rate"] == 0.75  # counts never depend on the bound
    if not is_postgres():
        assert unlock["median_hours"] is None and unlock["p90_hours"] is None
