"""The auditor reads the audit log (page, CSV, API) and nobody else does; his reading is audited too."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry


def test_the_auditor_searches_the_log_on_his_page(app: Flask, web: Any) -> None:
    web("city-nanning")  # a sign-in to find
    auditor = web("auditor")
    html = auditor.html("/audit?actor=city-nanning&action=sign_in")
    assert "sign_in.success" in html and "city-nanning" in html
    navigation = auditor.html("/").split('aria-label="主导航"')[1].split("</nav>")[0]
    assert "安全审计" in navigation  # in his navigation, without lists he reads nothing in (they were empty)
    assert "办件查询" not in navigation and "诚信评价" not in navigation
    home = auditor.html("/").split("<main")[1]  # nor on his home page: 查看待办任务, 辖区办件 (empty lists)
    assert "查看待办任务" not in home and "/tasks" not in home and 'href="/audit"' in home
    with app.app_context():
        searched = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.searched")
                                     .order_by(AuditEntry.id.desc()).limit(1))
        assert searched is not None and searched.actor_name == "auditor"
        assert searched.details["search"]["actor"] == "city-nanning"


def test_the_auditor_exports_csv_with_formulas_defused(app: Flask, web: Any, client: Any) -> None:
    from tests.support.web import csrf_token

    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "=HYPERLINK(\"x\")", "password": "x", "csrf_token": token})
    response = web("auditor").get("/audit/export.csv?action=sign_in.failure")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,时间,用户")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_others_may_not_read_the_log(web: Any, as_user: Any, client: Any) -> None:
    for username in ("admin", "analyst", "province", "ent-nanning"):
        assert web(username).get("/audit").status_code == 403, username
        assert as_user(username).get("/api/v1/audit").status_code == 403, username
    assert client.get("/audit").status_code == 302  # to the sign-in
    assert client.get("/api/v1/audit").status_code == 401


def test_the_api_pages_and_filters(as_user: Any) -> None:
    as_user("ent-nanning").start("personnel_unlock")
    auditor = as_user("auditor")
    page = auditor.get("/api/v1/audit?action=case.case_started&per_page=5")
    assert page.status_code == 200, page.json
    assert page.json["total"] >= 1 and page.json["per_page"] == 5
    entry = page.json["items"][0]
    assert entry["action"] == "case.case_started" and entry["actor_name"] == "ent-nanning"
    assert len(entry["hash"]) == 64 and entry["seq"] >= 1
    exported = auditor.get("/api/v1/audit/export?action=case.case_started")
    assert exported.status_code == 200 and "case.case_started" in exported.get_data().decode("utf-8-sig")


def test_the_auditor_sees_no_case_and_no_personal_record(as_user: Any) -> None:
    from tests.api.test_case_lifecycle import start_and_submit

    start_and_submit(as_user("ent-nanning"))
    auditor = as_user("auditor")
    assert auditor.get("/api/v1/cases").json["items"] == []
    for records in ("persons", "enterprises", "projects", "locks", "performance-records"):
        assert auditor.get(f"/api/v1/records/{records}").json["items"] == [], records
    assert auditor.get("/api/v1/tasks?view=claimable").json["items"] == []
    assert auditor.get("/api/v1/dashboard").status_code == 403
