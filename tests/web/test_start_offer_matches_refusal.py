"""What the procedure lists offer agrees with what a start refuses: an individual who registered himself and is
employed nowhere is not offered 人员注销 (he has no employer to leave) on the home page nor as startable in
GET /api/v1/procedures, and is refused it at the start form already, not after filling it in. An individual employed
by an enterprise (梁海, `person`) is offered it still."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.support.web import WebUser
from tests.web.test_start_organisation_pages import _cases, _individual_employed_nowhere, _offered

DEREG = "personnel_deregistration"
REFUSAL = "您目前没有在册的工作单位，不能发起此事项"


def _startable(as_user: Any, username: str) -> dict[str, bool]:
    listed = as_user(username).get("/api/v1/procedures")
    assert listed.status_code == 200, listed.json
    return {p["key"]: p["can_start"] for p in listed.json}


def test_an_individual_employed_nowhere_is_not_offered_the_deregistration(
        web: Callable[[str], WebUser], as_user: Any, app: Flask) -> None:
    username = _individual_employed_nowhere(app)
    page = web(username)
    assert DEREG not in _offered(page.html("/"))
    assert not any(_startable(as_user, username).values())
    form = page.get(f"/cases/start/{DEREG}")  # refused before it is filled in
    assert form.status_code == 403 and REFUSAL in form.get_data(as_text=True)
    before = _cases(app)
    posted = page.post(f"/cases/start/{DEREG}", {"mode": "non_cooperating", "leave_date": "2025-06-30"})
    assert posted.status_code == 403 and REFUSAL in posted.get_data(as_text=True)
    api = as_user(username).start(DEREG, {"mode": "non_cooperating", "leave_date": "2025-06-30"})
    assert api.status_code == 403 and api.json["code"] == "start_no_employer" and api.json["message"] == REFUSAL
    assert _cases(app) == before


def test_an_employed_individual_and_an_enterprise_are_offered_it(web: Callable[[str], WebUser], as_user: Any) -> None:
    assert DEREG in _offered(web("person").html("/"))
    assert _startable(as_user, "person")[DEREG] is True
    assert web("person").get(f"/cases/start/{DEREG}").status_code == 200
    ent = _startable(as_user, "ent-nanning")
    assert ent[DEREG] is True and ent["project_registration"] is False  # a construction unit's procedure
