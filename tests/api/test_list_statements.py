"""A task list is read in a constant number of statements, whatever the page holds (no query per task,
per case or per holder)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.support.api import ApiUser
from tests.support.queries import count_statements


def _submitted(ent: ApiUser, procedure: str) -> int:
    case = ent.start(procedure).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋进场检验报告", "amount": 120}).status_code == 200
    return int(case["id"])


def _statements(app: Flask, user: ApiUser, view: str) -> tuple[int, int]:
    with count_statements(app) as seen:
        listed = user.get(f"/api/v1/tasks?view={view}&per_page=50")
    assert listed.status_code == 200
    return len(seen), len(listed.json["items"])


@pytest.mark.committing
def test_the_task_list_takes_the_same_statements_for_one_task_or_many(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    for _ in range(2):
        _submitted(ent, review_procedure)
    assert city.claim(city.tasks("claimable")[0]["id"]).status_code == 200
    one: dict[str, Any] = {view: _statements(app, city, view) for view in ("claimable", "mine")}
    assert one["claimable"][1] == 1 and one["mine"][1] == 1
    for _ in range(6):
        _submitted(ent, review_procedure)
    for task in city.tasks("claimable")[:3]:
        assert city.claim(task["id"]).status_code == 200
    many: dict[str, Any] = {view: _statements(app, city, view) for view in ("claimable", "mine")}
    assert many["claimable"][1] == 4 and many["mine"][1] == 4
    assert many["claimable"][0] == one["claimable"][0] == 2  # the caller, then the page with its total
    assert many["mine"][0] == one["mine"][0] == 2
    assert all(t["assignee"]["username"] == "city-nanning" and t["case_number"] for t in city.tasks("mine"))


@pytest.mark.committing
def test_a_case_answer_takes_a_fixed_number_of_statements_and_stays_hidden_from_others(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case_id = _submitted(ent, review_procedure)
    with count_statements(app) as seen:
        shown = ent.get(f"/api/v1/cases/{case_id}")
    assert shown.status_code == 200 and shown.json["id"] == case_id and len(shown.json["history"]) >= 3
    assert len(seen) == 5  # the caller, the case with its clock, its open tasks, history and attachments
    hidden = as_user("ent-liuzhou").get(f"/api/v1/cases/{case_id}")
    assert hidden.status_code == 404
