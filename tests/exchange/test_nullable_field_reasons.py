"""A received message whose nullable field (anyOf: a value or null) is wrong is refused with the reason of the value's
own alternative, in Chinese for the sending system (the API's and the import's result) and in English on the
English 数据交换 page: a credit code breaking its pattern reads "格式不正确", not jsonschema's "is not valid under any
of the given schemas"."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.integrations.exchange import schemas
from tests.exchange.conftest import report
from tests.exchange.test_admin_page_language import row_of
from tests.exchange.test_inbound import FREE, change, envelope, send
from tests.support.web import WebUser

ENGLISH_LEFT = "is not valid under any of the given schemas"
CERTIFICATE = {"id_number": FREE, "kind": "registered", "number": "桂145000000001"}


def test_a_credit_code_breaking_its_pattern_is_refused_in_chinese(inbound_app: Flask, client: Any) -> None:
    answer = send(client, "approval_system", envelope("certificate_change", change(FREE, employer="bad"))).json
    assert answer["status"] == "rejected" and answer["code"] == "payload_invalid"
    assert answer["message"] == "报文内容不符合规范：new_employer_credit_code: “bad”格式不正确"


@pytest.mark.parametrize(("system", "kind", "payload", "reason"), [
    ("approval_system", "certificate_change", {**change(FREE), "effective_on": "2026-13-01"},
     "effective_on: “2026-13-01”不是有效的日期（YYYY-MM-DD）"),
    ("national_platform", "certificate", {**CERTIFICATE, "specialty": "建" * 61}, "specialty: 最多 60 个字符"),
    ("national_platform", "certificate", {**CERTIFICATE, "valid_until": 20301231}, "valid_until: 应为文本或空值"),
], ids=["format", "limit", "type"])
def test_every_nullable_field_is_refused_with_a_chinese_reason(inbound_app: Flask, client: Any, system: str,
                                                               kind: str, payload: dict[str, Any],
                                                               reason: str) -> None:
    answer = send(client, system, envelope(kind, payload)).json
    assert answer["status"] == "rejected" and answer["code"] == "payload_invalid"
    assert answer["message"] == f"报文内容不符合规范：{reason}"


def test_the_imported_line_is_refused_in_chinese(inbound_app: Flask, tmp_path: Path) -> None:
    file = tmp_path / "changes.jsonl"
    message = envelope("certificate_change", change(FREE, employer="bad"))
    file.write_text(json.dumps(message, ensure_ascii=False) + "\n", encoding="utf-8")
    ran = inbound_app.test_cli_runner().invoke(args=["exchange", "import", "approval_system", str(file)])
    assert "rejected 1" in ran.output, ran.output
    assert "报文内容不符合规范：new_employer_credit_code: “bad”格式不正确" in ran.output
    assert ENGLISH_LEFT not in ran.output


def test_the_reason_reads_in_english_on_the_english_page(inbound_app: Flask, client: Any) -> None:
    rejected = send(client, "approval_system", envelope("certificate_change", change(FREE, employer="bad"))).json
    typed = send(client, "national_platform", envelope("certificate", {**CERTIFICATE, "valid_until": 7})).json
    admin = WebUser(inbound_app, "admin").login()
    assert "new_employer_credit_code: “bad”格式不正确" in row_of(
        admin.html("/admin/exchange/inbound"), "data-inbound", rejected["id"])
    admin.get("/lang/en")
    page = admin.html("/admin/exchange/inbound")
    english = row_of(page, "data-inbound", rejected["id"])
    assert "new_employer_credit_code: “bad” is not in the expected format" in english
    assert "格式不正确" not in english and ENGLISH_LEFT not in english
    assert "valid_until: should be text or null" in row_of(page, "data-inbound", typed["id"])


def test_a_nested_nullable_field_names_its_own_place_and_reason() -> None:
    approved = {"project_code": "GX-1", "permit_number": 40, "project_name": "测试项目", "region_code": "450100",
                "construction_unit": None, "data_level": "B", "case_number": "SJ-2026-000001",
                "stages": [{"name": "基础", "started_on": "not a day"}]}
    found = schemas.problems("outbound", "national_platform.project_approved", 1, approved)
    assert "permit_number: 应为文本或空值" in found
    assert "stages/0/started_on: “not a day”不是有效的日期（YYYY-MM-DD）" in found
    levels = schemas.problems("outbound", "national_platform.data_level_change", 1,
                              {**report(1), "application_level": "Z"})
    assert levels == ["application_level: 取值“Z”不在允许的范围内"]
    assert not any(ENGLISH_LEFT in line for line in found + levels)


def test_a_null_is_still_accepted_for_a_nullable_field() -> None:
    payload = {**change(FREE), "new_employer_credit_code": None, "effective_on": None}
    assert schemas.problems("inbound", "certificate_change", 1, payload) == []
