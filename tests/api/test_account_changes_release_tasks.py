"""An account that changes keeps no task it may no longer do. A reviewer moved from 南宁 to 柳州 used to keep
南宁's task in his list, read it and decide it; a suspended one kept his tasks where no list showed them. Now
the tasks such an account holds go back to 待领取 (recorded in the case's history), and a holder who is no
longer a candidate cannot complete one, however he got there."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from app.db import unit_of_work
from app.extensions import db
from app.models import Role, Task
from app.services.identity.accounts import create_user, get_user_by_username
from tests.support.api import ApiUser
from tests.support.web import WebUser

MOVED = "city-nanning-2"


def _second_reviewer(app: Flask) -> int:
    with app.app_context(), unit_of_work():
        lead = get_user_by_username("city-nanning")
        return create_user(MOVED, "南宁市住建局·审核员二", "Another-Passw0rd!", lead.organisation_id, "450100",
                           [Role.CITY_REVIEWER], phone="13807710002").id


def _held_review(app: Flask, as_user: Callable[[str], ApiUser], procedure: str) -> tuple[int, str]:
    """(case id, task id) of a 南宁 review claimed by the second reviewer."""
    ent, reviewer = as_user("ent-nanning"), as_user(MOVED)
    case = ent.start(procedure).json
    assert ent.complete(case["open_tasks"][0]["id"], {"title": "钢筋进场检验报告", "amount": 120}).status_code == 200
    task = reviewer.task_for(case["id"])
    assert task is not None and reviewer.claim(task["id"]).status_code == 200
    return int(case["id"]), str(task["id"])


def _holder(app: Flask, task_id: str) -> int | None:
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task is not None
        return task.assignee_id


def test_a_reviewer_moved_to_another_city_loses_the_tasks_he_held(app: Flask, as_user: Callable[[str], ApiUser],
                                                                 review_procedure: str) -> None:
    user_id = _second_reviewer(app)
    case_id, task_id = _held_review(app, as_user, review_procedure)
    moved = WebUser(app, "admin").login().post(f"/admin/accounts/{user_id}", {
        "display_name": "南宁市住建局·审核员二", "phone": "13807710002", "region_code": "450200",
        "roles": [Role.CITY_REVIEWER]})
    assert moved.status_code == 302
    assert _holder(app, task_id) is None and as_user("city-nanning").task_for(case_id) is not None  # 待领取
    reviewer = as_user(MOVED)
    assert reviewer.task_for(case_id, view="mine") is None
    refused = reviewer.complete(task_id, {"decision": "approve"})
    assert refused.status_code in (403, 404), refused.json
    history = as_user("ent-nanning").case(case_id)["history"]
    released = [e for e in history if e["kind"] == "task_unclaimed"]
    assert len(released) == 1 and released[0]["payload"]["holder"] == "南宁市住建局·审核员二"


def test_a_holder_who_is_no_longer_a_candidate_cannot_complete(app: Flask, as_user: Callable[[str], ApiUser],
                                                              review_procedure: str) -> None:
    _second_reviewer(app)
    case_id, task_id = _held_review(app, as_user, review_procedure)
    with app.app_context(), unit_of_work():  # moved by any other way than the account page
        get_user_by_username(MOVED).region_code = "450200"
    refused = as_user(MOVED).complete(task_id, {"decision": "approve"})
    assert refused.status_code in (403, 404), refused.json
    assert as_user("ent-nanning").case(case_id)["status"] != "completed"
    assert [t["id"] for t in as_user("ent-nanning").case(case_id)["open_tasks"]] == [task_id]


def test_a_suspended_reviewer_s_tasks_go_back_to_be_claimed(app: Flask, as_user: Callable[[str], ApiUser],
                                                           review_procedure: str) -> None:
    user_id = _second_reviewer(app)
    case_id, task_id = _held_review(app, as_user, review_procedure)
    assert WebUser(app, "admin").login().post(f"/admin/accounts/{user_id}/suspend").status_code == 302
    assert _holder(app, task_id) is None
    lead = as_user("city-nanning")
    assert lead.task_for(case_id) is not None and lead.claim(task_id).status_code == 200


def test_a_suspended_account_s_tokens_do_not_come_back_when_it_is_resumed(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    """Suspension refused the tokens while it lasted but left them valid: resumed, the account's old tokens (given
    out before, perhaps to whoever made the account be suspended) worked again."""
    user_id = _second_reviewer(app)
    reviewer = as_user(MOVED)
    assert reviewer.get("/api/v1/cases").status_code == 200
    admin = WebUser(app, "admin").login()
    assert admin.post(f"/admin/accounts/{user_id}/suspend").status_code == 302
    assert admin.post(f"/admin/accounts/{user_id}/resume").status_code == 302
    again = reviewer.get("/api/v1/cases")
    assert again.status_code == 401 and again.json["code"] == "token_invalid"
