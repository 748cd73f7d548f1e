"""A failing service-task handler: the case shows the error, nothing half-applied, an admin retries."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.models import OutboxMessage, Role
from app.services.identity.accounts import create_user, get_user_by_username
from tests.support import procedures
from tests.support.api import ApiUser


def _approve(ent: ApiUser, city: ApiUser, procedure: str) -> tuple[int, int]:
    case = ent.start(procedure).json
    ent.complete(case["open_tasks"][0]["id"], {"title": "隧道监测报告", "amount": 50})
    task = city.task_for(case["id"])
    city.claim(task["id"])
    return case["id"], city.complete(task["id"], {"decision": "approve"}).status_code


def test_handler_failure_puts_case_in_error_keeps_the_decision_and_admin_retry_finishes(
        as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask) -> None:
    ent, city, admin = as_user("ent-nanning"), as_user("city-nanning"), as_user("admin")
    procedures.OUTAGE["remaining"] = 1
    case_id, status = _approve(ent, city, review_procedure)
    assert status == 200  # the reviewer's decision is accepted and kept
    case = ent.case(case_id)
    assert case["status"] == "error"
    assert "登记系统暂时不可用" in case["error_message"] and "登记结果" in case["error_message"]
    assert case["data"]["decision"] == "approve"
    assert not case["title"].startswith("已登记")  # the handler's change to the case went with its savepoint
    assert [e["kind"] for e in case["history"]][-1] == "error"
    with app.app_context():  # the handler's outbox row was rolled back with its savepoint
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    refused = ent.post(f"/api/v1/cases/{case_id}/retry")
    assert refused.status_code == 403 and refused.json["code"] == "admin_only"
    retried = admin.post(f"/api/v1/cases/{case_id}/retry")
    assert retried.status_code == 200, retried.json
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["error_message"] is None
    assert case["title"] == "已登记：隧道监测报告"
    kinds = [e["kind"] for e in case["history"]]
    assert kinds.index("retried") < kinds.index("handler_ran") < kinds.index("case_completed")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_retry_of_a_case_not_in_error_is_refused(as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent, city, admin = as_user("ent-nanning"), as_user("city-nanning"), as_user("admin")
    case_id, _ = _approve(ent, city, review_procedure)
    response = admin.post(f"/api/v1/cases/{case_id}/retry")
    assert response.status_code == 422 and response.json["code"] == "case_not_in_error"


def test_an_admin_of_another_city_finds_no_case_to_retry(app: Flask, as_user: Callable[[str], ApiUser],
                                                          review_procedure: str) -> None:
    """Any admin retried any region's case (and got it back whole); the refusal of a case not in error
    also told a city admin which ids exist in other regions."""
    with app.app_context(), unit_of_work():
        create_user("admin-liuzhou", "柳州市住建局·管理员", "Another-Passw0rd!",
                    get_user_by_username("city-liuzhou").organisation_id, "450200", [Role.ADMIN])
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = _approve(ent, city, review_procedure)
    refused = as_user("admin-liuzhou").post(f"/api/v1/cases/{case_id}/retry")
    assert refused.status_code == 404 and refused.json["code"] == "case_not_found"
    assert as_user("admin").post(f"/api/v1/cases/{case_id}/retry").json["code"] == "case_not_in_error"


def test_handler_whose_rows_the_database_refuses_puts_case_in_error_with_its_title_unchanged(
        as_user: Callable[[str], ApiUser], review_procedure: str, app: Flask) -> None:
    """The handler changed the case and then a row of its own failed when its savepoint was written:
    the case shows the error (not a conflict), keeps the decision, and the case change is undone."""
    ent, city, admin = as_user("ent-nanning"), as_user("city-nanning"), as_user("admin")
    procedures.REFUSED_WRITE["remaining"] = 1
    case_id, status = _approve(ent, city, review_procedure)
    assert status == 200
    case = ent.case(case_id)
    assert case["status"] == "error" and case["error_message"]
    assert case["data"]["decision"] == "approve"
    assert not case["title"].startswith("已登记")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert admin.post(f"/api/v1/cases/{case_id}/retry").status_code == 200
    case = ent.case(case_id)
    assert case["status"] == "completed" and case["title"] == "已登记：隧道监测报告"


def test_an_admin_retries_a_case_in_error_from_its_page(as_user: Callable[[str], ApiUser], review_procedure: str,
                                                        app: Flask) -> None:
    """The page showed 异常 with its message, and the retry was the API's only."""
    from tests.support.web import WebUser
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    procedures.OUTAGE["remaining"] = 1
    case_id, _ = _approve(ent, city, review_procedure)
    assert 'data-testid="retry"' not in WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
    admin = WebUser(app, "admin").login()
    assert 'data-testid="retry"' in admin.html(f"/cases/{case_id}")
    retried = admin.post(f"/cases/{case_id}/retry")
    assert retried.status_code == 302
    assert "已重试，办件已继续办理" in admin.html(f"/cases/{case_id}")
    assert ent.case(case_id)["status"] == "completed"
    assert WebUser(app, "city-nanning").login().post(f"/cases/{case_id}/retry").status_code == 403
