"""The task page's 分派给 list (a lead assigning a task to a reviewer) offers whom an assignment accepts: not the
reviewer the step's four-eyes rule (notSameAs) keeps from it, as GET /api/v1/tasks/{id}/candidates leaves him out."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from app.services.identity.accounts import get_user_by_username
from tests.api.test_task_candidates import _colleague
from tests.services.test_task_rules import _deploy, _reviewed, _with_confirm
from tests.support.web import WebUser


def _assignees(html: str) -> list[str]:
    """The user names the assign list offers ("display name（username）" options)."""
    found = re.search(r'<select class="form-select" id="assign-user" name="user_id">(.*?)</select>', html, re.S)
    assert found, "no assign list on the page"
    return re.findall(r"<option [^>]*>[^<]*（([^）<]+)）</option>", found.group(1))


def test_the_assign_list_leaves_out_the_reviewer_the_four_eyes_rule_bars(
        app: Flask, as_user: Any, web: Callable[[str], WebUser]) -> None:
    _deploy(app, _with_confirm('<spiffworkflow:property name="notSameAs" value="review"/>'))
    _colleague(app)
    (confirm,) = _reviewed(as_user)["open_tasks"]  # city-nanning reviewed: the confirm step may not be his
    lead = web("city-nanning")
    assert _assignees(lead.html(f"/tasks/{confirm['id']}")) == ["city-nanning-2"]
    api = as_user("city-nanning").get(f"/api/v1/tasks/{confirm['id']}/candidates").json
    assert [c["username"] for c in api] == ["city-nanning-2"]  # the page and the API agree
    with app.app_context():
        barred = get_user_by_username("city-nanning").id
    lead.post(f"/tasks/{confirm['id']}/assign", {"user_id": str(barred)})  # posted anyway: refused
    assert as_user("city-nanning").get(f"/api/v1/tasks/{confirm['id']}").json["assignee"] is None


def test_without_a_four_eyes_rule_the_reviewer_is_offered(app: Flask, as_user: Any,
                                                          web: Callable[[str], WebUser]) -> None:
    _deploy(app, _with_confirm(""))
    _colleague(app)
    (confirm,) = _reviewed(as_user)["open_tasks"]
    assert _assignees(web("city-nanning").html(f"/tasks/{confirm['id']}")) == ["city-nanning", "city-nanning-2"]
