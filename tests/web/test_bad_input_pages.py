"""Bad input through the pages: a Chinese error page or a sensible page, never a 500.

Ids beyond the id columns, page numbers past the end or beyond 64 bits, dashboard dates off the
calendar, bodies over the request limit, a withdrawal reason over the API's length limit.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.web import WebUser

HUGE = "99999999999999999999"  # beyond 64 bits
MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits in PostgreSQL


def test_ids_beyond_the_id_columns_are_not_found(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    for path in (f"/cases/{HUGE}", f"/cases/{MAX_ID + 1}", f"/cases/{HUGE}/attachments/x"):
        response = ent.get(path)
        assert response.status_code == 404, path
        assert "未找到请求的页面或资源" in response.get_data(as_text=True)
    assert "未找到该办件" in ent.get(f"/cases/{MAX_ID}").get_data(as_text=True)  # the largest id: looked up
    assert ent.post(f"/cases/{HUGE}/withdraw", {"reason": "撤回"}).status_code == 404
    assert ent.post(f"/cases/{HUGE}/comments", {"comment": "评论"}).status_code == 404


def test_page_numbers_past_the_end_show_the_last_page(web: Callable[[str], WebUser], as_user: Any) -> None:
    number = as_user("ent-nanning").start("personnel_unlock").json["number"]
    ent = web("ent-nanning")
    for page in (HUGE, str(2**63 - 1), "1000001", "2", "9" * 5000, "x", "-3"):
        for path in ("/cases", "/tasks?tab=mine&"):
            separator = "" if path.endswith("&") else "?"
            response = ent.get(f"{path}{separator}page={page}")
            assert response.status_code == 200, (path, page)
            assert number in response.get_data(as_text=True), (path, page)


def test_dashboard_dates_off_the_calendar_are_refused(web: Callable[[str], WebUser]) -> None:
    supervisor = web("supervisor")
    for query in ("first=1900-01-01&last=9999-12-31", "weeks=104&first=0001-01-01", "last=9999-12-31"):
        for path in ("/dashboard", "/dashboard/export/trend.csv"):
            response = supervisor.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
            assert "统计期应在 2000-01-01 至 2099-12-31 之间" in response.get_data(as_text=True)
    for weeks in ("²", "9" * 5000, "0", "104"):  # not a small count: the default, never an error
        assert supervisor.get(f"/dashboard?weeks={weeks}").status_code == 200, weeks


def test_assigning_to_an_id_beyond_the_id_column_is_refused(web: Callable[[str], WebUser]) -> None:
    lead = web("city-nanning")
    for user_id in (HUGE, str(MAX_ID + 1), "0", "x"):
        response = lead.post("/tasks/no-such-task/assign", {"user_id": user_id})
        assert response.status_code == 302, user_id
    assert "请选择办理人" in lead.html("/tasks")


def test_bodies_over_the_request_limit_get_a_chinese_error_page(web: Callable[[str], WebUser], app: Any) -> None:
    ent = web("ent-nanning")
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert app.config["MAX_UPLOAD_BYTES"] < limit
    response = ent.client.post("/cases/1/comments", data=b"comment=" + b"x" * limit,
                               content_type="application/x-www-form-urlencoded")
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "内容过大" in html and '<html lang="zh-CN">' in html


def test_a_withdrawal_reason_longer_than_the_api_allows_is_refused(web: Callable[[str], WebUser],
                                                                   as_user: Any) -> None:
    case_id = as_user("ent-nanning").start("personnel_unlock").json["id"]
    ent = web("ent-nanning")
    response = ent.post(f"/cases/{case_id}/withdraw", {"reason": "x" * 150_000})
    assert response.status_code == 422 and "最多填写 2000 个字符" in response.get_data(as_text=True)
    assert as_user("ent-nanning").case(case_id)["status"] == "running"
    assert ent.post(f"/cases/{case_id}/withdraw", {"reason": "字" * 2000}).status_code == 302
    assert as_user("ent-nanning").case(case_id)["status"] == "withdrawn"
