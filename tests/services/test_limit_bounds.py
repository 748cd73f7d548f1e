"""A limit an analyst writes is bounded: deploy (and the workspace's dry run) refuses one longer than about ten
years, naming the element; one deployed before the bound computes its deadlines quickly at that bound instead of
spinning for seconds and failing every submission with a server error (OverflowError in the calendar)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.services.deadlines import limits
from app.services.deadlines.calendar import BusinessHours, WorkCalendar
from app.services.deadlines.limits import check_limit_property, check_process_property, compute_deadline, parse_limit
from app.services.deadlines.timer_functions import MAX_TIMER_WORKING_DAYS
from app.services.procedures import bundles
from tests.api.test_procedure_api import _deploy, _versions
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.procedure_files import replace, review_files

LOCAL = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL)  # a Monday
WEEK_ONLY = WorkCalendar(frozenset({2026}))
TEN_YEARS_AND_A_BIT = timedelta(days=3650 + 400)
DIAGRAM = "bpmn/material_review.bpmn"
PROCESS_LIMIT = ('<spiffworkflow:property name="startRoles" value="enterprise"/>'
                 '<spiffworkflow:property name="committedLimit" value="{value}"/>')


@pytest.mark.parametrize("value", ["2500 working days", "3650 calendar days", "3650天", "P3650D", "PT87600H",
                                   "20 working days"])
def test_a_limit_up_to_ten_years_is_accepted(value: str) -> None:
    assert check_limit_property("dueIn", value) is None
    assert check_process_property("committedLimit", value) is None


@pytest.mark.parametrize("value", ["2501 working days", "99999999 working days", "3651 calendar days",
                                   "3000000 calendar days", "P3651D", "PT87601H", "P99999999999D",
                                   "9" * 5000 + " working days"])
def test_a_limit_longer_than_ten_years_is_refused_in_chinese(value: str) -> None:
    for refusal in (check_limit_property("dueIn", value), check_process_property("committedLimit", value)):
        assert refusal is not None and "过长" in refusal and "2500 个工作日" in refusal, refusal


def test_timers_and_limits_share_one_bound() -> None:
    assert MAX_TIMER_WORKING_DAYS == limits.MAX_WORKING_DAYS == 2500 and limits.MAX_CALENDAR_DAYS == 3650


@pytest.mark.parametrize("value", ["99999999 working days", "3000000 calendar days", "P99999999999D"])
def test_a_limit_deployed_before_the_bound_is_computed_quickly_at_the_bound(value: str) -> None:
    limit = parse_limit(value)
    assert limit is not None
    began = time.process_time()
    deadline = compute_deadline(RECEIVED, limit, WEEK_ONLY, BusinessHours())
    assert time.process_time() - began < 0.5
    assert RECEIVED + timedelta(days=3000) < deadline.due_at < RECEIVED + TEN_YEARS_AND_A_BIT
    assert deadline.warn_at <= deadline.due_at


def test_the_warning_of_a_long_working_day_limit_comes_at_its_share_not_after_a_year() -> None:
    limit = parse_limit("2500 working days")
    assert limit is not None
    deadline = compute_deadline(RECEIVED, limit, WEEK_ONLY, BusinessHours(), 0.9)
    # 2250 working days of a week-only calendar are 450 weeks: the warning comes about 8.6 years on.
    # (From the Tuesday after receipt, every fifth working day is a Monday.)
    assert deadline.warn_at == (RECEIVED + timedelta(weeks=450)).replace(hour=17, minute=30)
    assert deadline.due_at == (RECEIVED + timedelta(weeks=500)).replace(hour=17, minute=30)


@pytest.mark.parametrize("edit, element", [
    (replace('value="3 working days"', 'value="99999999 working days"'), "review"),
    (replace('<spiffworkflow:property name="startRoles" value="enterprise"/>',
             PROCESS_LIMIT.format(value="3000000 calendar days")), "material_review"),
])
def test_deploy_and_its_dry_run_refuse_a_limit_longer_than_ten_years_naming_the_element(
        edit: Any, element: str, as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    dry = _deploy(analyst, "material_review", review_files(edit=edit), dry_run=True)
    assert dry.status_code == 200
    assert [(p["file"], p["element"]) for p in dry.json["problems"]] == [(DIAGRAM, element)], dry.json
    assert "过长" in dry.json["problems"][0]["problem"]
    refused = _deploy(analyst, "material_review", review_files(edit=edit))
    assert refused.status_code == 422 and refused.json["details"]["problems"] == dry.json["problems"]
    assert _versions(app, "material_review") == 0


def test_a_huge_limit_deployed_before_the_bound_neither_spins_nor_fails_the_submission(
        as_user: Any, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # A version deployed before deploy knew the bound (its checks then read the format only).
    monkeypatch.setattr(bundles, "check_limit_property", lambda name, value: None)
    monkeypatch.setattr(bundles, "check_process_property", lambda name, value: None)
    edit = replace('value="3 working days"', 'value="99999999 working days"')
    files = review_files(edit=lambda text: replace(
        '<spiffworkflow:property name="startRoles" value="enterprise"/>',
        PROCESS_LIMIT.format(value="3000000 calendar days"))(edit(text)))
    assert _deploy(as_user("analyst"), "material_review", files).status_code == 201
    ent = as_user("ent-nanning")
    began = time.process_time()
    case = ent.start("material_review")
    assert case.status_code == 201, case.json
    done = ent.complete(case.json["open_tasks"][0]["id"], {"title": "材料", "amount": 3})
    assert done.status_code == 200, done.json
    assert time.process_time() - began < 3
    review = as_user("city-nanning").task_for(case.json["id"])
    assert review is not None and review["due_at"] is not None
    due = datetime.fromisoformat(review["due_at"])
    assert datetime.now(LOCAL) + timedelta(days=3000) < due < datetime.now(LOCAL) + TEN_YEARS_AND_A_BIT
