"""The task page offers 退回待领取 exactly when the unclaim itself is allowed (app/policy.py): to the holder of the
task, or a lead who may assign it; an applicant's step held by one of its operators is given back from the page as
through the API."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.api.test_case_lifecycle import start_and_submit
from tests.api.test_task_candidates import _colleague
from tests.procedures.steps import task_of
from tests.support.web import WebUser

UNCLAIM = 'data-action="unclaim"'


def test_an_operator_holding_the_applicants_step_gives_it_back_from_the_page(
        as_user: Any, web: Callable[[str], WebUser]) -> None:
    """The operator who started the case holds its first step; given back, any operator of the enterprise with the
    procedure may take it (the API allowed it, the page did not offer it)."""
    ent = as_user("ent-nanning")
    case_id = int(ent.start("personnel_unlock").json["id"])
    task = task_of(ent, case_id)
    assert task is not None and task["assignee"]["username"] == "ent-nanning"
    page = web("ent-nanning")
    assert UNCLAIM in page.html(f"/tasks/{task['id']}")
    assert page.post(f"/tasks/{task['id']}/unclaim").status_code == 302
    assert ent.get(f"/api/v1/tasks/{task['id']}").json["assignee"] is None
    assert UNCLAIM not in page.html(f"/tasks/{task['id']}")  # nobody holds it now: its form, for any operator


def test_the_unclaim_button_is_shown_to_whom_the_unclaim_is_allowed(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    _colleague(app)
    case_id, _ = start_and_submit(as_user("ent-nanning"))
    lead = as_user("city-nanning")
    task = lead.task_for(case_id)
    assert task is not None and lead.claim(task["id"]).status_code == 200
    path = f"/tasks/{task['id']}"
    assert UNCLAIM in web("city-nanning").html(path)  # the holder (a lead of the region)
    assert as_user("city-nanning-2").post(f"/api/v1/tasks/{path[7:]}/unclaim").status_code == 403  # a colleague
    assert lead.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    assert as_user("city-nanning-2").claim(task["id"]).status_code == 200
    assert UNCLAIM in web("city-nanning").html(path)  # a lead who may assign it, not holding it
    assert lead.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    assert UNCLAIM not in web("city-nanning").html(path)  # nobody holds it now
