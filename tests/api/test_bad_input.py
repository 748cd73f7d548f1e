"""Bad input through the API: a clear 4xx in Chinese, never a 500 or a case broken for good.

Reserved keys in form data, ids and page numbers beyond 64 bits, JSON nested too deep or too large,
dashboard dates off the calendar, schema messages in Chinese, the notification list's limit.
"""
from __future__ import annotations

import json
import re
import zlib
from typing import Any

from sqlalchemy import select, update

from app.db import unit_of_work
from app.extensions import db
from app.models import PerformanceRecord, WorkflowState
from tests.procedures.steps import act, upload
from tests.support.api import PDF_BYTES, ApiUser
from tests.support.web import WebUser

HUGE = "99999999999999999999"  # beyond 64 bits
MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits in PostgreSQL
REASON = "合同金额录入错误"
CHANGES = [{"field": "contract_amount", "old_value": "3200.00", "new_value": "3250.00"},
           {"field": "project_manager", "old_value": "陆伟", "new_value": "覃丽"}]


def _start(ent: ApiUser, app: Any) -> int:
    """A performance_record_edit case of the demo's in-region record, its application claimed."""
    with app.app_context():
        record_id = db.session.scalar(select(PerformanceRecord.id).where(
            PerformanceRecord.project_name == "南宁滨江大道改造工程"))
    started = ent.start("performance_record_edit", {"record_id": record_id})
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def _documents(ent: ApiUser, case_id: int) -> dict[str, list[str]]:
    return {key: [upload(ent, case_id, "材料.pdf")]
            for key in ("bid_award_files", "contract_files", "permit_files", "completion_files")}


def _english(value: Any) -> list[str]:
    """Messages (not keys) in an error tree with English in them (two words in a row)."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _english(item)]
    if isinstance(value, list):
        return [m for item in value for m in _english(item)]
    return [value] if re.search(r"[A-Za-z]+ [A-Za-z]+", str(value)) else []


def test_a_nested_typename_is_refused_and_the_case_goes_on(as_user: Any, app: Any) -> None:
    ent, province = as_user("ent-nanning"), as_user("province")
    case_id = _start(ent, app)
    docs = _documents(ent, case_id)
    attack = [{**CHANGES[0], "typename": "date"}, CHANGES[1]]
    refused = act(ent, case_id, {"changes": attack, "reason": REASON, **docs})
    assert refused.status_code == 422, refused.json
    assert refused.json["details"]["fields"] == {"changes.0.typename": "不能使用保留字段名“typename”"}
    deep = act(ent, case_id, {"changes": [{**CHANGES[0], "field": {"a": [{"typename": "Decimal"}]}}],
                              "reason": REASON, **docs})
    assert deep.status_code == 422 and "changes.0.field.a.0.typename" in deep.json["details"]["fields"]
    # The case is untouched: the same task takes the valid form, the next step is there, withdraw works.
    done = act(ent, case_id, {"changes": CHANGES, "reason": REASON, **docs})
    assert done.status_code == 200, done.json
    assert province.task_for(case_id) is not None and ent.case(case_id)["status"] == "running"
    withdrawn = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "撤回重报"})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = ent.start("performance_record_edit", {"record_id": ent.case(case_id)["data"]["record_id"]})
    assert again.status_code == 201, again.json


def test_data_nested_deeper_than_a_form_needs_is_refused(as_user: Any, app: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _start(ent, app)
    value: Any = "x"
    for _ in range(20):
        value = {"v": value}
    response = act(ent, case_id, {"changes": [{**CHANGES[0], "new_value": value}], "reason": REASON})
    assert response.status_code == 422
    assert response.json["details"]["fields"] == {"changes": "数据嵌套层数过多（最多 16 层）"}


def test_a_state_that_does_not_load_is_reported_as_such(as_user: Any, app: Any) -> None:
    """A state saved before the refusal above (or damaged otherwise): a clear 422, not a 409 that says
    someone else finished the task, not a 500."""
    ent = as_user("ent-nanning")
    case_id = _start(ent, app)
    with app.app_context(), unit_of_work():
        blob = db.session.scalar(select(WorkflowState.state).where(WorkflowState.case_id == case_id))
        state = json.loads(zlib.decompress(blob))
        next(iter(state["tasks"].values()))["data"]["changes"] = [{"typename": "date"}]
        db.session.execute(update(WorkflowState).where(WorkflowState.case_id == case_id)
                           .values(state=zlib.compress(json.dumps(state).encode())))
    complete = act(ent, case_id, {"changes": CHANGES, "reason": REASON, **_documents(ent, case_id)})
    assert complete.status_code == 422, complete.json
    assert complete.json["code"] == "case_state_unreadable" and "无法读取" in complete.json["message"]
    withdraw = ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "撤回重报"})
    assert withdraw.status_code == 422 and withdraw.json["code"] == "case_state_unreadable"
    shown = ent.case(case_id)  # refused whole, and the case shows 异常 for an admin to repair and retry
    assert shown["status"] == "error" and "无法读取" in shown["error_message"]


def test_ids_beyond_64_bits_are_not_found_or_refused(as_user: Any) -> None:
    ent, lead = as_user("ent-nanning"), as_user("city-nanning")
    for path in (f"/api/v1/cases/{HUGE}", f"/api/v1/cases/{HUGE}/attachments", f"/api/v1/records/persons/{HUGE}",
                 f"/api/v1/records/enterprises/{HUGE}", f"/api/v1/records/projects/{HUGE}",
                 f"/api/v1/records/performance-records/{HUGE}", f"/api/v1/cases/{MAX_ID + 1}"):
        response = ent.get(path)
        assert response.status_code == 404 and response.json["code"] == "not_found", path
    assert ent.post(f"/api/v1/cases/{HUGE}/withdraw").status_code == 404
    assert ent.get(f"/api/v1/cases/{MAX_ID}").json["code"] == "case_not_found"  # the largest id: looked up
    locks = ent.get(f"/api/v1/records/locks?project_id={HUGE}")
    assert locks.status_code == 422 and locks.json["details"]["fields"] == {
        "query": {"project_id": [f"应在 1 至 {MAX_ID} 之间"]}}
    read = ent.post("/api/v1/notifications/read", {"ids": [1e30]})
    assert read.status_code == 422 and read.json["details"]["fields"]["ids"] == {"0": [f"应在 1 至 {MAX_ID} 之间"]}
    assign = lead.post("/api/v1/tasks/no-such-task/assign", {"user_id": 10**30})
    assert assign.status_code == 422 and "user_id" in assign.json["details"]["fields"]


def test_page_numbers_are_bounded(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    for path in ("/api/v1/cases", "/api/v1/tasks", "/api/v1/records/persons"):
        for page in (HUGE, str(2**63 - 1), "1000001"):
            response = ent.get(f"{path}?page={page}")
            assert response.status_code == 422, (path, page)
            assert response.json["details"]["fields"] == {"query": {"page": ["应在 1 至 1000000 之间"]}}
        far = ent.get(f"{path}?page=1000000")
        assert far.status_code == 200 and far.json["items"] == []


def test_json_nested_too_deep_or_not_json_answers_400(as_user: Any) -> None:
    ent = as_user("ent-nanning")

    def post(body: str) -> Any:
        return ent.client.post("/api/v1/cases", data=body, content_type="application/json", headers=ent.headers)
    for body in ("[" * 100_000 + "]" * 100_000, '{"procedure": "x", "data": ' + '{"a": ' * 40 + "1" + "}" * 41):
        response = post(body)
        assert response.status_code == 400, response.json
        assert response.json == {"code": "json_too_deep", "message": "请求正文嵌套层数过多（最多 32 层）",
                                 "message_en": "The request body is nested too deeply (at most 32 levels)",
                                 "details": {}}
    broken = post('{"procedure": ')
    assert broken.status_code == 400
    assert broken.json == {"code": "bad_request", "message": "请求格式有误", "message_en": "The request is malformed",
                           "details": {}}


def test_dashboard_dates_off_the_calendar_are_refused(as_user: Any) -> None:
    supervisor = as_user("supervisor")
    for query, fields in (("first=1900-01-01&last=9999-12-31", {"first", "last"}),
                          ("weeks=104&first=0001-01-01", {"first"}), ("last=9999-12-31", {"last"})):
        for path in ("/api/v1/dashboard", "/api/v1/dashboard/trend", "/api/v1/dashboard/trend/export"):
            response = supervisor.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query, response.json)
            assert response.json["code"] == "period_out_of_range"
            assert response.json["message"] == "统计期应在 2000-01-01 至 2099-12-31 之间"
            assert set(response.json["details"]["fields"]) == fields
    edge = supervisor.get("/api/v1/dashboard/trend?weeks=104&first=2000-01-01&last=2099-12-31")
    assert edge.status_code == 200 and len(edge.json["rows"]) == 104


def test_request_bodies_are_limited_a_little_above_the_uploads_total(app: Any, as_user: Any) -> None:
    limit, upload_limit = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_BYTES"]
    total = app.config["MAX_UPLOADS_TOTAL_BYTES"]  # a page's several upload fields sent together
    assert upload_limit < total < limit <= total + 2 * 1024 * 1024
    ent = as_user("ent-nanning")
    body = b'{"procedure": "' + b"x" * limit + b'"}'
    response = ent.client.post("/api/v1/cases", data=body, content_type="application/json", headers=ent.headers)
    assert response.status_code == 413 and response.json["code"] == "payload_too_large"
    assert response.json["message"].startswith("请求内容过大")  # a JSON body: bounded far lower (MAX_BODY_BYTES)
    case_id = ent.start("personnel_unlock").json["id"]  # the largest upload still fits, with its framing
    largest = ent.upload(case_id, PDF_BYTES + b"\0" * (upload_limit - len(PDF_BYTES)), "扫描件.pdf")
    assert largest.status_code == 201, largest.json
    too_large = ent.upload(case_id, PDF_BYTES + b"\0" * (upload_limit + 1 - len(PDF_BYTES)), "扫描件.pdf")
    assert too_large.status_code == 422 and too_large.json["code"] == "upload_too_large"  # read, and named
    assert too_large.json["message"] == f"附件超过大小限制（最大 {upload_limit // (1024 * 1024)} MB）"


def test_schema_messages_are_chinese(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    missing = ent.post("/api/v1/cases", {"data": {}})
    assert missing.json["details"]["fields"] == {"procedure": ["此项为必填项"]}
    unknown = ent.post("/api/v1/cases", {"procedure": "personnel_unlock", "extra": 1})
    assert unknown.json["details"]["fields"] == {"extra": ["不支持该字段"]}
    wrong = ent.post("/api/v1/cases", {"procedure": 5, "data": []})
    assert wrong.json["details"]["fields"] == {"procedure": ["格式不正确，应为文本"], "data": ["格式不正确，应为对象"]}
    not_object = ent.post("/api/v1/cases", [1])
    assert not_object.json["details"]["fields"] == {"_schema": ["数据类型不正确，应为 JSON 对象"]}
    query = ent.get("/api/v1/tasks?per_page=0&view=all&page=x")
    assert query.status_code == 422 and query.json["details"]["fields"] == {"query": {
        "per_page": ["应在 1 至 100 之间"], "view": ["应为以下之一：mine, claimable, done"],
        "page": ["格式不正确，应为整数"]}}
    long_reason = ent.post("/api/v1/cases/1/withdraw", {"reason": "字" * 2001})
    assert long_reason.json["details"]["fields"] == {"reason": ["最多填写 2000 个字符"]}
    dates = as_user("supervisor").get("/api/v1/dashboard?first=2026-13-01&region=45")
    assert dates.json["details"]["fields"] == {"query": {"first": ["格式不正确，应为日期（YYYY-MM-DD）"],
                                                         "region": ["格式不正确"]}}
    for response in (missing, unknown, wrong, not_object, query, long_reason, dates):
        assert response.status_code == 422 and response.json["code"] == "invalid_request"
        assert response.json["message"] == "请求参数有误" and _english(response.json["details"]["fields"]) == []


def test_the_notification_limit_is_validated(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    for limit in ("-5", "0", "201", "100000"):
        response = ent.get(f"/api/v1/notifications?limit={limit}")
        assert response.status_code == 422, limit
        assert response.json["details"]["fields"] == {"query": {"limit": ["应在 1 至 200 之间"]}}
    assert ent.get("/api/v1/notifications?limit=200").status_code == 200


def test_the_openapi_document_describes_the_error_shape(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "message_en", "details"}
    assert "query" in error["properties"]["details"]["description"]
    case_id = next(p for p in spec["paths"]["/api/v1/cases/{case_id}"]["parameters"] if p["name"] == "case_id")
    assert case_id["schema"]["maximum"] == MAX_ID


def test_numbers_lists_and_ids_are_read_as_written(app: Any, as_user: Any) -> None:
    """A fraction where a whole number is due was cut (days 1.9 made a 1-day token); a list's length was
    counted in 字符; full-width or Arabic-Indic digits named an object (a DELETE of /tokens/０１ revoked 1)."""
    ent = as_user("ent-nanning")
    fraction = ent.post("/api/v1/tokens", {"scopes": ["read"], "days": 1.9})
    assert fraction.status_code == 422 and fraction.json["details"]["fields"] == {"days": ["格式不正确，应为整数"]}
    assert ent.post("/api/v1/tokens", {"scopes": ["read"], "days": 2.0}).status_code == 201  # a whole number
    none_chosen = ent.post("/api/v1/tokens", {"scopes": []})
    assert none_chosen.json["details"]["fields"] == {"scopes": ["应选择 1 至 2 项"]}
    case_id = ent.start("personnel_unlock").json["id"]
    assert ent.get(f"/api/v1/cases/{case_id}").status_code == 200
    for digits in ("０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩"):
        other = str(case_id).translate(str.maketrans("0123456789", digits))
        assert ent.get(f"/api/v1/cases/{other}").status_code == 404, other
        assert WebUser(app, "ent-nanning").login().get(f"/cases/{other}").status_code == 404
    tokens = ent.get("/api/v1/tokens").json["items"]
    wide = str(tokens[0]["id"]).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert ent.client.delete(f"/api/v1/tokens/{wide}", headers=ent.headers).status_code == 404
