"""API basics: authentication, error shape, OpenAPI, health, procedures, tokens from the CLI."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.support.api import ApiUser


def test_requests_without_or_with_a_bad_token_get_401_in_our_error_shape(client: Any) -> None:
    missing = client.get("/api/v1/cases")
    assert missing.status_code == 401
    assert missing.json["code"] == "token_missing" and set(missing.json) == {"code", "message", "message_en", "details"}
    bad = client.get("/api/v1/cases", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json["code"] == "token_invalid"


def test_unknown_resources_and_bad_requests_use_the_error_shape(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    assert ent.get("/api/v1/cases/999999").json["code"] == "case_not_found"
    assert ent.get("/api/v1/tasks/nope").status_code == 404
    bad = ent.post("/api/v1/cases", {"data": {}})
    assert bad.status_code == 422 and bad.json["code"] == "invalid_request"
    assert "procedure" in bad.json["details"]["fields"]
    unknown = ent.start("no_such_procedure")
    assert unknown.status_code == 404 and unknown.json["code"] == "procedure_not_found"


def test_only_the_roles_a_procedure_names_may_start_it(as_user: Callable[[str], ApiUser],
                                                       review_procedure: str) -> None:
    response = as_user("city-nanning").start(review_procedure)
    assert response.status_code == 403 and response.json["code"] == "start_not_allowed"


def test_start_data_is_refused_when_the_procedure_takes_none(as_user: Callable[[str], ApiUser],
                                                             review_procedure: str) -> None:
    response = as_user("ent-nanning").start(review_procedure, {"title": "x"})
    assert response.status_code == 422 and response.json["code"] == "invalid_form"


def test_case_numbers_count_per_prefix_and_year(as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    numbers = [ent.start(review_procedure).json["number"] for _ in range(3)]
    prefix = numbers[0].rsplit("-", 1)[0]
    assert prefix.startswith("CS-20")
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3]


def test_lists_and_views(as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case = ent.start(review_procedure).json
    assert [t["case_id"] for t in ent.tasks("mine")] == [case["id"]]
    ent.complete(case["open_tasks"][0]["id"], {"title": "材料一", "amount": 3})
    assert ent.tasks("mine") == [] and [t["case_id"] for t in ent.tasks("done")] == [case["id"]]
    claimable = city.tasks("claimable")
    assert [t["case_number"] for t in claimable if t["case_id"] == case["id"]] == [case["number"]]
    listed = ent.get(f"/api/v1/cases?number={case['number']}").json
    assert listed["total"] == 1 and listed["items"][0]["status_title"] == "办理中"
    detail = city.get(f"/api/v1/tasks/{claimable[0]['id']}").json
    assert detail["form"]["properties"]["decision"]["oneOf"][0] == {"const": "approve", "title": "通过"}
    assert detail["data"]["title"] == "材料一"


def test_openapi_document_describes_the_api(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/tasks", "/api/v1/tasks/{task_id}/complete",
                 "/api/v1/cases/{case_id}/attachments", "/api/v1/procedures"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_healthz_answers_when_the_database_does(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_withdraw_by_the_applicant_cancels_open_tasks(as_user: Callable[[str], ApiUser],
                                                      review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    # Not yet submitted: a draft is the applicant's alone, the reviewer does not even see it.
    assert as_user("city-nanning").post(f"/api/v1/cases/{case['id']}/withdraw").status_code == 404
    assert as_user("ent-liuzhou").post(f"/api/v1/cases/{case['id']}/withdraw").status_code == 404
    unexplained = ent.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "  "})
    assert unexplained.status_code == 422 and unexplained.json["details"]["fields"] == {"reason": "请填写撤回理由"}
    assert ent.case(case["id"])["status"] == "running"
    response = ent.post(f"/api/v1/cases/{case['id']}/withdraw", {"reason": "材料有误，撤回重报"})
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    assert response.json["open_tasks"] == [] and ent.tasks("mine") == []
    again = ent.post(f"/api/v1/cases/{case['id']}/withdraw")
    assert again.status_code == 422 and again.json["code"] == "case_closed"


def test_users_token_cli_prints_a_working_token_on_its_last_line(app: Flask, client: Any) -> None:
    result = app.test_cli_runner().invoke(args=["users", "token", "province"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/procedures", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and {p["key"] for p in response.json} >= {"personnel_unlock"}
