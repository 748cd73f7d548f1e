"""A procedure's rules refusing a start keep the user on the start form, with the reason and the input."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.support.api import ApiUser
from tests.support.web import WebUser


def test_a_refused_start_shows_the_reason_on_the_form_and_keeps_the_input(web: Callable[[str], WebUser],
                                                                           as_user: Any) -> None:
    ent = web("ent-nanning")
    form = ent.html("/cases/start/data_upgrade_b_to_a")
    level_c = re.search(r'<option value="(\d+)"[^>]*>[^<]*当前C级', form).group(1)  # type: ignore[union-attr]
    response = ent.post("/cases/start/data_upgrade_b_to_a", {
        "project_id": level_c, "contact_name": "黄联系", "contact_phone": "13907719999",
        "statement": "申报业绩真实有效，申请提升为A级", "commitment": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "B级提升A级只适用于B级项目" in html and 'role="alert"' in html
    assert 'value="黄联系"' in html and "申报业绩真实有效，申请提升为A级" in html
    assert as_user("ent-nanning").get("/api/v1/cases").json["items"] == []  # nothing was created


def test_starting_again_continues_the_unsubmitted_application(web: Callable[[str], WebUser], as_user: Any) -> None:
    ent = web("ent-nanning")
    first = ent.post("/cases/start/personnel_unlock")
    again = ent.post("/cases/start/personnel_unlock")
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert "已为您打开" in ent.html(again.headers["Location"])
    assert len(as_user("ent-nanning").get("/api/v1/cases").json["items"]) == 1


def test_a_start_beyond_the_drafts_limit_says_why_and_keeps_the_input(
        web: Callable[[str], WebUser], as_user: Callable[[str], ApiUser], app: Flask,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The organisation's unsubmitted drafts are limited (GJY_MAX_DRAFT_CASES; the API: tests/api/test_draft_limit.py):
    a start form that would open one more says why, the input kept."""
    monkeypatch.setitem(app.config, "MAX_DRAFT_CASES", 1)
    assert as_user("ent-nanning").start("personnel_unlock").status_code == 201
    ent = web("ent-nanning")
    assert 'value="finance"' in ent.html("/cases/start/commitment_entry")
    response = ent.post("/cases/start/commitment_entry", {"sections": ["finance", "basic"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "尚未提交的申请已达 1 件，请先提交或撤回已有的申请" in html and 'role="alert"' in html
    assert re.search(r'value="finance"[^>]*checked', html)
    assert len(as_user("ent-nanning").get("/api/v1/cases").json["items"]) == 1  # nothing was created
