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
    for refused in (operator.claim(task_id), operator.complete(task_id, {"title": "钢筋进场检验报告", "amount": 1}),
                    operator.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "不再申请"})):
        assert refused.status_code == 403 and refused.json["code"] == "procedure_not_granted", refused.json
    assert main.case(case["id"])["status"] == "running"

    unlock = main.start("personnel_unlock").json  # granted: his to take
    unlock_task = unlock["open_tasks"][0]["id"]
    assert main.post(f"/api/v1/tasks/{unlock_task}/unclaim").status_code == 200
    assert operator.task_for(unlock["id"]) is not None
    assert operator.claim(unlock_task).status_code == 200
