"""Small steps the procedure tests share: find a user's task of a case, claim and complete it."""
from __future__ import annotations

from typing import Any

from app.db import unit_of_work
from app.services.exchange.inbound import receive
from tests.support.api import ApiUser


def task_of(user: ApiUser, case_id: int) -> dict[str, Any] | None:
    """The user's open task of the case: claimed already (mine) or claimable."""
    return user.task_for(case_id, view="mine") or user.task_for(case_id, view="claimable")


def act(user: ApiUser, case_id: int, data: dict[str, Any]) -> Any:
    """Claim (when needed) and complete the user's task of the case; the raw response."""
    task = task_of(user, case_id)
    assert task is not None, f"{user.username} has no task in case {case_id}"
    if task["assignee"] is None:
        claimed = user.claim(task["id"])
        assert claimed.status_code == 200, claimed.json
    return user.complete(task["id"], data)


def act_ok(user: ApiUser, case_id: int, data: dict[str, Any]) -> None:
    response = act(user, case_id, data)
    assert response.status_code == 200, response.json


def upload(user: ApiUser, case_id: int, filename: str = "材料.pdf") -> str:
    response = user.upload(case_id, filename=filename)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def field_errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.json
    return dict(response.json["details"].get("fields") or {})


def award_lock(app: Any, record_id: int, reference: str = "ZB-2026-0901") -> None:
    """The trading platform's award lock (中标锁定) of a record, received as its batch import receives it."""
    message = {"message_id": f"award-{record_id}-{reference}", "kind": "award_lock", "schema_version": 1,
               "occurred_at": "2026-12-08T07:00:00+08:00",
               "payload": {"performance_record_id": record_id, "lock_reference": reference,
                           "award_project": "南宁某道路中标项目", "locked_on": "2026-12-07"}}
    with app.app_context(), unit_of_work():
        assert receive("trading_platform", message, "file").message.status == "applied"
