"""The messages of refused fields carry their English beside them (`details.fields_en`, the tree of
`details.fields`): marshmallow's messages that name a bound, a length or the choices are built from templates
(errors.Message), so that their English is found whatever the values."""
from __future__ import annotations

from typing import Any


def test_refused_parameters_are_answered_in_english_too(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    query = ent.get("/api/v1/tasks?per_page=0&view=all&page=x")
    assert query.status_code == 422 and query.json["details"]["fields"] == {"query": {
        "per_page": ["应在 1 至 100 之间"], "view": ["应为以下之一：mine, claimable, done"],
        "page": ["格式不正确，应为整数"]}}
    assert query.json["details"]["fields_en"] == {"query": {
        "per_page": ["Must lie between 1 and 100"], "view": ["Must be one of: mine, claimable, done"],
        "page": ["Wrong format: a whole number is expected"]}}
    long_reason = ent.post("/api/v1/cases/1/withdraw", {"reason": "字" * 2001})
    assert long_reason.json["details"]["fields"] == {"reason": ["最多填写 2000 个字符"]}
    assert long_reason.json["details"]["fields_en"] == {"reason": ["Enter at most 2000 characters"]}
    missing = ent.post("/api/v1/cases", {"data": {}})
    assert missing.json["details"]["fields_en"] == {"procedure": ["This field is required"]}


def test_a_refused_form_is_answered_in_english_too(as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case = ent.start("personnel_unlock").json
    refused = ent.complete(case["open_tasks"][0]["id"], {"kind": "duty_change", "reason": "太短"})
    assert refused.status_code == 422 and refused.json["code"] == "invalid_form"
    assert refused.json["details"]["fields"] == {
        "application_files": "请上传解锁申请表扫描件", "lock_ids": "此项为必填项", "reason": "至少填写 5 个字符"}
    assert refused.json["details"]["fields_en"] == {  # the procedure's own message in the English it carries
        "application_files": "Upload the scanned unlock application form (解锁申请表)",
        "lock_ids": "This field is required", "reason": "Enter at least 5 characters"}
