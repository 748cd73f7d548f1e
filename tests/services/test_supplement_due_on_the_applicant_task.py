"""After a 补正 return the applicant's task carries the date the 补正告知书 and the notice give (请于…前补正): on the
task page, the case page and the API (`due_at`, deadline_state `supplement`). It is the applicant's date, told for
information: the case's clock stays paused, and the authority's SLA (warning, overdue, escalation) never counts it."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.jobs.sla import refresh_deadline_states
from app.models import Notification, Task
from tests.documents.test_case_documents import _resubmit
from tests.notifications.test_applicant_notices import _notices, _unlock_submitted
from tests.procedures.steps import act_ok
from tests.support.deadlines import local
from tests.support.web import WebUser

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _returned(app: Flask, as_user: Any) -> tuple[int, dict[str, Any]]:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")):  # a Monday: 10 working days end on Monday 16 November
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, {"decision": "return", "comment": "申请表缺公章", "missing_items": ["application_files"]})
    task = ent.task_for(case_id, view="mine") or ent.task_for(case_id)
    assert task is not None
    return case_id, task


def test_the_applicant_s_task_shows_the_date_the_supplement_notice_gives(app: Flask, as_user: Any) -> None:
    case_id, task = _returned(app, as_user)
    [notice] = _notices(app, "ent-nanning", case_id)
    assert notice["payload"]["due_date"] == "2026-11-16"
    assert task["deadline_state"] == "supplement"
    assert datetime.fromisoformat(task["due_at"]).astimezone(SHANGHAI).date().isoformat() == "2026-11-16"
    detail = as_user("ent-nanning").get(f"/api/v1/tasks/{task['id']}").json
    assert detail["due_at"] == task["due_at"] and detail["deadline_state"] == "supplement"
    page = WebUser(app, "ent-nanning").login()
    shown = page.html(f"/tasks/{task['id']}").split('data-testid="deadline"')[1].split("</div>")[0]
    assert "无时限" not in shown and "补正期限" in shown and "2026-11-16" in shown
    case_page = page.html(f"/cases/{case_id}")
    assert 'data-testid="clock-supplement"' in case_page and "2026-11-16" in case_page
    case = as_user("ent-nanning").case(case_id)
    assert case["deadline_state"] == "paused"  # the case's clock does not run while the applicant supplies


def test_the_supplement_date_is_no_sla_deadline_of_the_authority(app: Flask, as_user: Any) -> None:
    case_id, task = _returned(app, as_user)
    with freeze_time(local("2026-11-20 10:00")), app.app_context():  # past the 补正 date
        refresh_deadline_states()
    with app.app_context():
        row = db.session.get(Task, task["id"])
        assert row is not None and row.deadline_state == "supplement"
        overdue = db.session.scalars(select(Notification.kind).where(Notification.case_id == case_id)).all()
        assert not [kind for kind in overdue if "overdue" in kind or "warning" in kind]
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-11-20 11:00")):  # resubmitted late: no 超期 of a step the authority owns
        _resubmit(ent, case_id)
    with app.app_context():
        done = db.session.get(Task, task["id"])
        assert done is not None and done.deadline_state is None
