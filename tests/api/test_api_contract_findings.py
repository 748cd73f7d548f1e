"""The API does what its document says: record searches by number, a body sent as something other than JSON,
file downloads' media types, stable audit-log pages, every list's paging echoed and enum filters validated,
unclaim's own refusal, one file per upload."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Certificate, Organisation, PerformanceRecord, Person, RecordSource
from tests.api.test_case_lifecycle import start_and_submit
from tests.api.test_task_candidates import _colleague
from tests.support.api import PDF_BYTES, ApiUser

NANNING = "广西邕城建设集团有限公司"
BINARY = {"type": "string", "format": "binary"}


def names(response: Any, key: str = "name") -> list[str]:
    assert response.status_code == 200, response.json
    return [item[key] for item in response.json["items"]]


# -- 1. records search: what `q` is documented to find ---------------------------------------------------------
def test_a_person_is_found_by_full_id_number_and_by_certificate_number(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.name == "陆伟"))
        id_number = person.id_number
        certificate = db.session.scalar(select(Certificate.number).where(Certificate.person_id == person.id))
    ent = as_user("ent-nanning")
    assert names(ent.get(f"/api/v1/records/persons?q={id_number}")) == ["陆伟"]
    assert names(ent.get(f"/api/v1/records/persons?q={id_number.lower()}")) == ["陆伟"]
    assert names(ent.get(f"/api/v1/records/persons?q={certificate}")) == ["陆伟"]
    assert names(ent.get("/api/v1/records/persons?q=陆伟")) == ["陆伟"]
    # a part of an ID number finds nobody (the number is encrypted: found only whole, by its keyed hash)
    assert names(ent.get(f"/api/v1/records/persons?q={id_number[:10]}")) == []
    other = as_user("ent-liuzhou")  # not its person: not found by number either
    assert names(other.get(f"/api/v1/records/persons?q={id_number}")) == []


def test_a_performance_record_is_found_by_its_number(app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    with app.app_context(), unit_of_work():
        nanning = db.session.scalar(select(Organisation).where(Organisation.name == NANNING))
        db.session.add(PerformanceRecord(enterprise_id=nanning.id, project_name="全国平台导入工程",
                                         source=RecordSource.IMPORTED,
                                         fields={"record_key": "QG-2024-778899", "data_level": "C"}))
    ent = as_user("ent-nanning")
    found = ent.get("/api/v1/records/performance-records?q=QG-2024-7788")
    assert names(found, "project_name") == ["全国平台导入工程"]
    assert names(ent.get("/api/v1/records/performance-records?q=全国平台导入"), "project_name") == ["全国平台导入工程"]


def test_the_search_hints_say_what_is_searched(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    def q_of(path: str) -> str:
        parameters = spec["paths"][f"/api/v1/records/{path}"]["get"]["parameters"]
        return str(next(p for p in parameters if p["name"] == "q")["description"])
    assert "身份证号" in q_of("persons") and "证书编号" in q_of("persons")
    assert "业绩编号" in q_of("performance-records")


# -- 2. a body that is not sent as JSON --------------------------------------------------------------------------
def test_a_json_body_sent_without_its_content_type_is_told_to_send_application_json(
        as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    refused = ent.client.post("/api/v1/cases", data='{"procedure": "personnel_unlock"}', headers=ent.headers,
                              content_type="text/plain")
    assert refused.status_code == 422, refused.json
    assert refused.json["code"] == "invalid_request"
    [message] = refused.json["details"]["fields"]["_schema"]
    assert "application/json" in message and "不能为空" not in message
    form = ent.client.post("/api/v1/cases", data={"procedure": "personnel_unlock"}, headers=ent.headers)
    assert form.status_code == 422 and "application/json" in form.json["details"]["fields"]["_schema"][0]
    empty = ent.client.post("/api/v1/cases", headers=ent.headers)  # nothing sent at all: still "required"
    assert empty.status_code == 422 and "不能为空" in empty.json["details"]["fields"]["_schema"][0]


def test_an_empty_body_sent_as_json_is_still_told_it_is_required(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    empty = ent.client.post("/api/v1/cases", data="", headers=ent.headers, content_type="application/json")
    assert empty.status_code == 422 and "不能为空" in empty.json["details"]["fields"]["_schema"][0]


# -- 3. downloads documented with their media types -------------------------------------------------------------
def test_file_downloads_declare_their_media_types_as_binary(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    expected = {
        "/api/v1/cases/{case_id}/attachments/{attachment_id}": {"application/pdf", "image/jpeg", "image/png"},
        "/api/v1/cases/{case_id}/documents/{document_id}": {"application/pdf"},
        "/api/v1/audit/export": {"text/csv"},
        "/api/v1/dashboard/{name}/export": {
            "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    }
    for path, media_types in expected.items():
        content = paths[path]["get"]["responses"]["200"].get("content", {})
        assert set(content) == media_types, (path, content)
        assert all(value["schema"] == BINARY for value in content.values()), (path, content)


# -- 4. audit log pages follow each other --------------------------------------------------------------------------
def test_audit_log_page_two_follows_page_one_exactly(as_user: Callable[[str], ApiUser]) -> None:
    auditor = as_user("auditor")
    for _ in range(6):  # enough entries for two pages, each search writing one more
        assert auditor.get("/api/v1/audit?per_page=1").status_code == 200
    first = auditor.get("/api/v1/audit?per_page=3")
    assert first.status_code == 200, first.json
    up_to = first.json["up_to"]
    second = auditor.get(f"/api/v1/audit?per_page=3&page=2&up_to={up_to}")
    both = auditor.get(f"/api/v1/audit?per_page=6&up_to={up_to}")
    ids = [e["id"] for e in first.json["items"] + second.json["items"]]
    assert ids == [e["id"] for e in both.json["items"]] and len(set(ids)) == 6
    assert second.json["up_to"] == up_to and both.json["total"] == first.json["total"]
    assert max(ids) <= up_to


# -- 5. paging echoed; enum filters validated --------------------------------------------------------------------
def test_the_undelivered_list_echoes_its_page_like_every_other_list(
        client: Any, as_user: Callable[[str], ApiUser]) -> None:
    answer = as_user("admin").get("/api/v1/notifications/undelivered?page=2&per_page=5")
    assert answer.status_code == 200, answer.json
    assert answer.json["page"] == 2 and answer.json["per_page"] == 5
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["UndeliveredPage"]
    assert {"page", "per_page"} <= set(schema["properties"]) and {"page", "per_page"} <= set(schema["required"])


def test_an_unknown_case_status_is_refused_like_other_enum_filters(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    refused = ent.get("/api/v1/cases?status=bogus")
    assert refused.status_code == 422 and "status" in refused.json["details"]["fields"]["query"]
    assert ent.get("/api/v1/cases?status=running").status_code == 200


# -- 6. unclaim has its own refusal ---------------------------------------------------------------------------------
def test_unclaim_by_someone_other_than_the_holder_or_a_lead_is_refused_as_an_unclaim(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    _colleague(app)
    case_id, _ = start_and_submit(as_user("ent-nanning"))
    lead, colleague = as_user("city-nanning"), as_user("city-nanning-2")
    task = lead.task_for(case_id)
    assert task is not None and lead.claim(task["id"]).status_code == 200
    for refused in (colleague.post(f"/api/v1/tasks/{task['id']}/unclaim"),
                    as_user("ent-nanning").post(f"/api/v1/tasks/{task['id']}/unclaim")):
        assert refused.status_code == 403, refused.json
        assert refused.json["code"] == "unclaim_not_allowed" and "分派" not in refused.json["message"]
        assert refused.json["message_en"]
    assert colleague.claim(task["id"]).status_code == 409  # still the lead's
    assert lead.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200


# -- 7. one file per upload ------------------------------------------------------------------------------------------
def test_an_upload_with_several_files_is_refused_and_stores_none(
        as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case_id = ent.start(review_procedure).json["id"]
    several = ent.client.post(f"/api/v1/cases/{case_id}/attachments", headers=ent.headers,
                              data={"file": [(io.BytesIO(PDF_BYTES), "一.pdf"), (io.BytesIO(PDF_BYTES), "二.pdf")]},
                              content_type="multipart/form-data")
    assert several.status_code == 422, several.json
    assert several.json["code"] == "upload_several_files" and several.json["message_en"]
    assert list(several.json["details"]["fields"]) == ["file"]
    assert ent.get(f"/api/v1/cases/{case_id}/attachments").json == []

