"""A number typed or tampered into the task page's 分派给 form and the 访问令牌 page's validity: only ASCII digits
in range name a user or a count of days. "１" (full-width) or "١" (Arabic-Indic), which int() reads, used to
assign the task to user 1 or issue a token of 30 days from "３０"; now they are refused in Chinese, never read
silently, never a 500."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken
from app.services.identity.accounts import get_user_by_username
from tests.support.races import submitted
from tests.support.web import WebUser

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return get_user_by_username(username).id


@pytest.mark.parametrize("digits", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_an_assignee_id_in_other_digits_is_refused(app: Flask, as_user: Any, web: Callable[[str], WebUser],
                                                    review_procedure: str, digits: dict[int, int]) -> None:
    case_id = submitted(as_user("ent-nanning"), review_procedure)
    task = as_user("city-nanning").task_for(case_id)
    assert task is not None
    lead = web("city-nanning")
    typed = str(_user_id(app, "city-nanning")).translate(digits)
    answer = lead.post(f"/tasks/{task['id']}/assign", {"user_id": typed})
    assert answer.status_code == 302
    assert "请选择办理人" in lead.html(f"/tasks/{task['id']}")
    assert as_user("city-nanning").get(f"/api/v1/tasks/{task['id']}").json["assignee"] is None  # not assigned


def test_an_assignee_id_in_ascii_digits_still_assigns(app: Flask, as_user: Any, web: Callable[[str], WebUser],
                                                       review_procedure: str) -> None:
    case_id = submitted(as_user("ent-nanning"), review_procedure)
    task = as_user("city-nanning").task_for(case_id)
    assert task is not None
    answer = web("city-nanning").post(f"/tasks/{task['id']}/assign",
                                      {"user_id": f" {_user_id(app, 'city-nanning')} "})
    assert answer.status_code == 302
    assert as_user("city-nanning").get(f"/api/v1/tasks/{task['id']}").json["assignee"] is not None


def _tokens(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken)) or 0


@pytest.mark.parametrize("days", ["３０", "٣٠", "9" * 5000, str(10**30), "²", "-3", "0"],
                         ids=lambda d: d[:8])
def test_token_days_other_than_ascii_digits_in_range_are_refused(app: Flask, web: Callable[[str], WebUser],
                                                                  days: str) -> None:
    page = web("ent-nanning")
    before = _tokens(app)
    answer = page.post("/account/tokens", {"days": days, "scopes": ["read"], "name": "脚本"})
    assert answer.status_code == 422, days
    assert "令牌有效期须为 1–365 天" in answer.get_data(as_text=True)
    assert _tokens(app) == before  # no token issued


def test_token_days_in_ascii_digits_still_issue_a_token(app: Flask, web: Callable[[str], WebUser]) -> None:
    before = _tokens(app)
    answer = web("ent-nanning").post("/account/tokens", {"days": " 30 ", "scopes": ["read"], "name": "脚本"})
    assert answer.status_code == 200
    assert _tokens(app) == before + 1
