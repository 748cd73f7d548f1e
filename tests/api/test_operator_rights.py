"""An operator's 办理权限 (the procedures his main operator ticked) limit what he handles, not only what he
starts: he neither sees in 待领取, claims, completes nor withdraws a case of another procedure (he did all
four), and still handles those he was granted."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from app.db import unit_of_work
from app.services.identity.accounts import get_user_by_username
from app.services.identity.operators import add_operator
from tests.support.api import ApiUser


def _operator(app: Flask, procedures: list[str]) -> None:
    with app.app_context(), unit_of_work():
        add_operator(get_user_by_username("ent-nanning"), "op-unlock", "邕城建设·解锁经办人", "13907710199",
                     "Operator-Passw0rd!", procedures)


def test_an_operator_handles_only_the_procedures_he_was_granted(
        app: Flask, as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    _operator(app, ["personnel_unlock"])
    main, operator = as_user("ent-nanning"), as_user("op-unlock")
    case = main.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]
    assert main.post(f"/api/v1/tasks/{task_id}/unclaim").status_code == 200  # back to the enterprise's 待领取

    assert operator.task_for(case["id"]) is None
    # Neither the case nor its task is his to see (PIPL's minimum necessary: its persons' data is not his work).
    assert all(c["id"] != case["id"] for c in operator.get("/api/v1/cases").json["items"])
    assert operator.get(f"/api/v1/cases/{case['id']}").json["code"] == "case_not_found"
    assert operator.get(f"/api/v1/tasks/{task_id}").json["code"] == "task_not_found"
    for refused in (operator.claim(task_id), operator.complete(task_id, {"title": "钢筋进场检验报告", "amount": 1}),
                    operator.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "不再申请"})):
        assert refused.status_code == 404 and refused.json["code"] in ("task_not_found", "case_not_found"), \
            refused.json
    assert main.case(case["id"])["status"] == "running"

    unlock = main.start("personnel_unlock").json  # granted: his to take
    unlock_task = unlock["open_tasks"][0]["id"]
    assert main.post(f"/api/v1/tasks/{unlock_task}/unclaim").status_code == 200
    assert operator.task_for(unlock["id"]) is not None
    assert operator.claim(unlock_task).status_code == 200


def test_an_operator_is_not_told_of_cases_of_procedures_he_was_not_granted(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    """The applicant's notices (受理, 补正, decisions) went to every operator of the enterprise, each with a link to a
    case he may not open."""
    from tests.notifications.test_applicant_notices import _unlock_submitted
    _operator(app, ["historical_performance"])
    main, operator, city = as_user("ent-nanning"), as_user("op-unlock"), as_user("city-nanning")
    case_id = _unlock_submitted(app, main)
    assert city.complete(city.task_for(case_id)["id"], {"decision": "return", "comment": "缺申请表",
                                                        "missing_items": ["application_files"]}).status_code == 200
    told = [n for n in main.get("/api/v1/notifications").json["items"] if n.get("case_id") == case_id]
    assert told, "the main operator is told"
    assert [n for n in operator.get("/api/v1/notifications").json["items"] if n.get("case_id") == case_id] == []


def test_narrower_rights_give_back_the_tasks_of_the_procedures_taken_away(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    """He kept holding a task of a procedure no longer his: in his list, its page open to him, refused on submit,
    and no colleague could claim it."""
    from tests.support.web import WebUser
    _operator(app, ["personnel_unlock"])
    main, operator = as_user("ent-nanning"), as_user("op-unlock")
    case = main.start("personnel_unlock").json
    task_id = case["open_tasks"][0]["id"]
    assert main.post(f"/api/v1/tasks/{task_id}/unclaim").status_code == 200
    assert operator.claim(task_id).status_code == 200
    with app.app_context():
        operator_id = get_user_by_username("op-unlock").id
    page = WebUser(app, "ent-nanning").login()
    narrowed = page.post(f"/enterprise/operators/{operator_id}/rights", {"procedures": ["historical_performance"]})
    assert narrowed.status_code == 302, narrowed.get_data(as_text=True)[:300]
    assert operator.get(f"/api/v1/tasks/{task_id}").status_code == 404
    assert main.claim(task_id).status_code == 200  # back to the enterprise's 待领取


def test_a_construction_unit_s_main_operator_manages_its_operators(app: Flask) -> None:
    """Offered 经办人管理 and refused: 只有企业主操作员可以管理经办人."""
    from tests.support.web import WebUser
    owner = WebUser(app, "owner-nanning").login()
    page = owner.get("/enterprise/operators")
    assert page.status_code == 200
    rights = page.get_data(as_text=True)
    assert 'value="project_registration"' in rights and 'value="personnel_unlock"' not in rights
