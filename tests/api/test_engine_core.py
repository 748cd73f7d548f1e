"""The engine through the API: a reject/resubmit loop over two lanes with a service task, restarts,
concurrency, invalid forms, jurisdiction."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.errors import StaleCase, TaskNotOpen
from app.extensions import db
from app.models import Case, CaseEvent, OutboxMessage, Task, WorkflowState
from app.services.tasks import work as task_service
from tests.support.api import ApiUser


def submit(ent: ApiUser, procedure: str, title: str = "钢筋进场检验报告", amount: int = 120) -> tuple[int, str]:
    started = ent.start(procedure)
    assert started.status_code == 201, started.json
    case = started.json
    assert case["open_tasks"][0]["assignee"]["username"] == ent.username
    task_id = case["open_tasks"][0]["id"]
    response = ent.complete(task_id, {"title": title, "amount": amount})
    assert response.status_code == 200, response.json
    return case["id"], task_id


def review(city: ApiUser, case_id: int, decision: dict[str, Any]) -> Any:
    task = city.task_for(case_id)
    assert task is not None, "the review should be claimable by the city reviewer"
    assert city.claim(task["id"]).status_code == 200
    return city.complete(task["id"], decision)


def test_reject_and_resubmit_loop_then_approval_runs_the_handler(as_user: Callable[[str], ApiUser],
                                                                review_procedure: str, app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = submit(ent, review_procedure, title="初稿")
    assert review(city, case_id, {"decision": "reject", "comment": "金额与合同不符"}).status_code == 200
    case = ent.case(case_id)
    assert case["status"] == "waiting_for_applicant"
    assert case["open_tasks"][0]["bpmn_id"] == "submit"
    resubmit = ent.task_for(case_id, "claimable")
    assert ent.complete(resubmit["id"], {"title": "修订稿", "amount": 118}).status_code == 200
    assert ent.case(case_id)["status"] == "running"
    assert review(city, case_id, {"decision": "approve"}).status_code == 200
    case = ent.case(case_id)
    assert case["status"] == "completed"
    assert case["title"] == "已登记：修订稿"  # the handler saw the resubmitted data
    assert case["data"]["round_no"] == 2 and case["data"]["label"] == "第2轮"
    kinds = [e["kind"] for e in case["history"]]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert kinds.count("task_completed") == 4 and kinds.count("handler_ran") == 1
    completed = [e for e in case["history"] if e["kind"] == "task_completed"]
    assert completed[2]["payload"]["changes"]["title"] == {"old": "初稿", "new": "修订稿"}
    assert completed[1]["actor"]["username"] == "city-nanning"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@pytest.mark.committing  # a new app per step: what one app committed, the next one reads
def test_case_survives_a_restart_between_every_step(make_app: Callable[[], Flask], as_user: Callable[[str], ApiUser],
                                                    review_procedure: str) -> None:
    tokens = {name: as_user(name).token for name in ("ent-nanning", "city-nanning")}

    def fresh(name: str) -> ApiUser:  # a new app: empty spec cache, new connection pool, new session
        app = make_app()
        return ApiUser(app, app.test_client(), name, tokens[name])

    case_id, _ = submit(fresh("ent-nanning"), review_procedure)
    assert review(fresh("city-nanning"), case_id, {"decision": "reject", "comment": "请补充"}).status_code == 200
    task = fresh("ent-nanning").task_for(case_id, "claimable")
    assert fresh("ent-nanning").complete(task["id"], {"title": "补充后", "amount": 7}).status_code == 200
    assert review(fresh("city-nanning"), case_id, {"decision": "approve"}).status_code == 200
    assert fresh("ent-nanning").case(case_id)["status"] == "completed"


@pytest.mark.committing  # two threads on two apps, two connections racing
def test_two_concurrent_completions_of_one_task_exactly_one_wins(
        make_app: Callable[[], Flask], as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = submit(ent, review_procedure)
    task = city.task_for(case_id)
    city.claim(task["id"])
    barrier = threading.Barrier(2, timeout=30)
    statuses: list[Any] = []
    clients = [make_app().test_client() for _ in range(2)]  # two processes' worth of state

    def complete(client: Any, decision: str) -> None:
        try:
            barrier.wait()
            body = {"data": {"decision": decision, "comment": "并发"}}
            statuses.append(client.post(f"/api/v1/tasks/{task['id']}/complete", json=body,
                                        headers=city.headers).status_code)
        except Exception as exc:  # reported in the assertion below
            statuses.append(exc)

    pairs = zip(clients, ("approve", "reject"), strict=True)
    threads = [threading.Thread(target=complete, args=(c, d)) for c, d in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses, key=str) == [200, 409]
    with app.app_context():
        reviews = db.session.scalars(select(Task).where(Task.case_id == case_id, Task.bpmn_id == "review")).all()
        assert [t.status for t in reviews] == ["completed"]
        completed = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == "task_completed", CaseEvent.step == "审核材料"))
        assert completed == 1


def test_a_step_computed_on_a_stale_case_is_refused_with_a_conflict(
        as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask, actor: Callable[[str], Any]) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = submit(ent, review_procedure)
    task_id = city.task_for(case_id)["id"]
    city.claim(task_id)
    with app.app_context():
        reviewer = actor("city-nanning")
        stale = db.session.get(Task, task_id)
        db.session.get(WorkflowState, case_id)  # this request has read the case and its state ...
        assert stale.case.lock_version >= 1
        winner = city.complete(task_id, {"decision": "approve"})  # ... when another request completes it
        assert winner.status_code == 200
        with pytest.raises((StaleCase, TaskNotOpen)):
            task_service.complete_task(reviewer, task_id, {"decision": "reject", "comment": "晚了一步"})
        db.session.rollback()
    assert ent.case(case_id)["status"] == "completed"


def test_invalid_form_answers_422_per_field_and_changes_nothing(
        as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]

    def snapshot() -> tuple[Any, ...]:
        with app.app_context():
            row = db.session.get(Case, case["id"])
            state = db.session.get(WorkflowState, case["id"]).state
            events = db.session.scalar(select(func.count()).select_from(CaseEvent))
            return row.lock_version, row.status, dict(row.data), state, events

    before = snapshot()
    response = ent.complete(task_id, {"title": "", "amount": -5, "unknown": "x"})
    assert response.status_code == 422
    body = response.json
    assert body["code"] == "invalid_form" and body["message"]
    assert body["details"]["fields"]["title"] == "此项为必填项"  # an empty box, as the page says of it
    assert body["details"]["fields"]["amount"] == "不能小于 0"
    short = ent.complete(task_id, {"title": " 隧\u3000", "amount": 1})  # the text within the blanks counts
    assert short.json["details"]["fields"] == {"title": "至少填写 2 个字符"}
    missing = ent.complete(task_id, {"title": "只有名称"})
    assert missing.json["details"]["fields"] == {"amount": "此项为必填项"}
    wrong_type = ent.complete(task_id, {"title": "类型错误", "amount": "很多"})
    assert wrong_type.json["details"]["fields"]["amount"].startswith("格式不正确")
    assert snapshot() == before


def test_reviewer_comment_is_required_when_not_approving(as_user: Callable[[str], ApiUser],
                                                          review_procedure: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = submit(ent, review_procedure)
    response = review(city, case_id, {"decision": "reject"})
    assert response.status_code == 422
    assert response.json["details"]["fields"] == {"comment": "此项为必填项"}


def test_users_of_another_region_or_enterprise_get_404(as_user: Callable[[str], ApiUser],
                                                       review_procedure: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, first_task = submit(ent, review_procedure)
    review_task = city.task_for(case_id)["id"]
    for outsider in (as_user("city-liuzhou"), as_user("ent-liuzhou")):
        assert outsider.get(f"/api/v1/cases/{case_id}").status_code == 404
        assert outsider.get(f"/api/v1/cases/{case_id}/attachments").status_code == 404
        for task_id in (first_task, review_task):
            assert outsider.get(f"/api/v1/tasks/{task_id}").status_code == 404
            assert outsider.claim(task_id).status_code == 404
            assert outsider.complete(task_id, {"decision": "approve"}).status_code == 404
        assert all(c["id"] != case_id for c in outsider.get("/api/v1/cases").json["items"])
        assert outsider.task_for(case_id) is None
    not_found = as_user("city-liuzhou").get(f"/api/v1/cases/{case_id}").json
    assert not_found == {"code": "case_not_found", "message": "未找到该办件", "message_en": "Case not found",
                         "details": {}}
    assert as_user("province").get(f"/api/v1/cases/{case_id}").status_code == 200


def test_a_task_claimed_again_by_its_holder_stays_theirs(as_user: Callable[[str], ApiUser],
                                                        review_procedure: str) -> None:
    """Claiming a task one holds already (领取 clicked on a page from before the claim) changes nothing and is
    not refused: it was refused with "该任务已被他人领取", which named no one else."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = submit(ent, review_procedure)
    task_id = city.task_for(case_id)["id"]
    first, again = city.claim(task_id), city.claim(task_id)
    assert first.status_code == again.status_code == 200
    assert again.json["assignee"] == first.json["assignee"] and again.json["claimed_at"] == first.json["claimed_at"]
    claims = [e for e in city.case(case_id)["history"] if e["kind"] == "task_claimed" and e["task_id"] == task_id]
    assert len(claims) == 1


def test_a_claimed_task_cannot_be_claimed_or_completed_by_a_colleague(
        as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask) -> None:
    from app.db import unit_of_work
    from app.models import Role
    from app.services.identity.accounts import create_user, get_user_by_username

    with app.app_context(), unit_of_work():
        lead = get_user_by_username("city-nanning")
        create_user("city-nanning-2", "南宁市住建局·审核员二", "Another-Passw0rd!", lead.organisation_id,
                    "450100", [Role.CITY_REVIEWER])
    ent, city, colleague = as_user("ent-nanning"), as_user("city-nanning"), as_user("city-nanning-2")
    case_id, _ = submit(ent, review_procedure)
    task_id = colleague.task_for(case_id)["id"]
    assert city.claim(task_id).status_code == 200
    second = colleague.claim(task_id)
    assert second.status_code == 409 and second.json["code"] == "task_already_claimed"
    assert colleague.complete(task_id, {"decision": "approve"}).status_code == 409
    assert colleague.task_for(case_id) is None  # no longer claimable
    unclaimed = city.post(f"/api/v1/tasks/{task_id}/unclaim")
    assert unclaimed.status_code == 200 and unclaimed.json["assignee"] is None
    assert colleague.task_for(case_id)["id"] == task_id
    with app.app_context():
        colleague_id = get_user_by_username("city-nanning-2").id
    assigned = city.post(f"/api/v1/tasks/{task_id}/assign", {"user_id": colleague_id})  # city-nanning is a lead
    assert assigned.status_code == 200 and assigned.json["assignee"]["username"] == "city-nanning-2"
    assert colleague.task_for(case_id, "mine")["id"] == task_id
    refused = colleague.post(f"/api/v1/tasks/{task_id}/assign", {"user_id": colleague_id})
    assert refused.status_code == 403 and refused.json["code"] == "assign_not_allowed"
