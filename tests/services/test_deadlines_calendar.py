"""Deadlines on the calendar table: the unlock's due date in the API, provisional years, admin CLI and page."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.notify import MemoryChannel
from app.jobs.notify import deliver_notifications
from app.jobs.sla import refresh_deadline_states
from app.models import Notification
from app.services.deadlines.calendar_admin import set_day
from tests.procedures.steps import act_ok, upload
from tests.procedures.test_personnel_unlock import _lock_ids, _request, _start
from tests.support.deadlines import deploy_probes, local, start_and_submit, utc_iso
from tests.support.web import WebUser


def _submit_unlock(app: Any, ent: Any) -> int:
    locks = _lock_ids(app)
    case_id = _start(ent)
    act_ok(ent, case_id, _request(ent, case_id, "completion", [locks["陆伟"]],
                                  completion_files=[upload(ent, case_id, "竣工验收合格意见书.pdf")]))
    return case_id


@pytest.mark.parametrize(("received", "due"), [
    # 国务院办公厅关于2026年部分节假日安排的通知: 春节 15–23 Feb rest, Sat 14 Feb a make-up workday.
    ("2026-02-13 10:00", "2026-02-25 17:30"),
    # Same notice: 国庆节、中秋节 25–27 Sep and 1–7 Oct rest, Sat 10 Oct a make-up workday.
    ("2026-09-30 16:30", "2026-10-10 17:30"),
])
def test_unlock_review_due_date_in_the_api_and_on_the_page(app: Any, as_user: Any, received: str, due: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local(received)):
        case_id = _submit_unlock(app, ent)
        review = city.task_for(case_id)
        page = WebUser(app, "city-nanning").login().html(f"/tasks/{review['id']}")
    assert review is not None and review["due_in"] == "3 working days"
    assert review["due_at"] == utc_iso(due)
    assert review["deadline_provisional"] is False and review["deadline_state"] == "on_time"
    deadline = page.split('data-testid="deadline">', 1)[1].split("</div>", 1)[0]
    assert due in deadline, deadline  # local time, as the reviewer reads it


def test_year_without_data_gives_provisional_deadlines_until_the_admin_enters_it(app: Any, as_user: Any) -> None:
    deploy_probes(app)
    ent, admin = as_user("ent-nanning"), as_user("admin")
    with freeze_time(local("2026-12-30 10:00")):
        case_id = start_and_submit(ent)  # never blocked by the missing year
        case = ent.case(case_id)
        # Weekends only in 2027: 31 Dec, Fri 1 Jan (really 元旦), Mon 4 Jan.
        assert case["due_at"] == utc_iso("2027-01-04 17:30") and case["deadline_provisional"] is True
        assert case["open_tasks"][0]["deadline_provisional"] is True
        alerts = [n for n in admin.get("/api/v1/notifications").json["items"] if n["kind"] == "calendar_year_missing"]
        assert [n["payload"]["year"] for n in alerts] == [2027]
        runner = app.test_cli_runner()
        result = runner.invoke(args=["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["calendar", "confirm", "2027"])
        assert result.exit_code == 0 and "provisional deadlines recomputed in 1 case(s)" in result.output, result.output
        case = ent.case(case_id)
    assert case["due_at"] == utc_iso("2027-01-05 17:30") and case["deadline_provisional"] is False
    assert case["statutory_due_at"] == utc_iso("2027-01-28 17:30")
    task = case["open_tasks"][0]
    assert task["due_at"] == utc_iso("2027-01-05 17:30") and task["deadline_provisional"] is False


def test_seed_cli_is_idempotent(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["calendar", "seed"])
    assert result.exit_code == 0 and "0 day(s) written" in result.output, result.output
    shown = app.test_cli_runner().invoke(args=["calendar", "show", "2026"])
    assert "2026-02-14\tworkday\tofficial\t春节调休上班" in shown.output
    assert "2026-10-07\tholiday\tofficial\t国庆节" in shown.output


def test_calendar_page_is_for_admins_and_needs_the_csrf_token(app: Any) -> None:
    admin = WebUser(app, "admin").login()
    page = admin.html("/admin/calendar?year=2027")
    assert "2027 年的节假日安排尚未确认" in page
    assert admin.post("/admin/calendar/days", {"day": "2027-02-06", "kind": "workday"}, csrf=False).status_code == 400
    saved = admin.post("/admin/calendar/days", {"day": "2027-02-06", "kind": "workday", "name": "春节调休上班"})
    assert saved.status_code == 302
    assert admin.post("/admin/calendar/years/2027/confirm").status_code == 302
    page = admin.html("/admin/calendar?year=2027")
    assert "2027-02-06" in page and "春节调休上班" in page and "已确认" in page
    assert WebUser(app, "city-nanning").login().get("/admin/calendar").status_code == 403


def test_notifications_are_delivered_through_the_channel_after_commit(app: Any, as_user: Any) -> None:
    deploy_probes(app)
    app.config["NOTIFY_CHANNEL"] = "memory"
    channel = MemoryChannel.shared()
    channel.sent.clear()
    channel.fail_next = 1
    with freeze_time(local("2026-12-30 10:00")):
        start_and_submit(as_user("ent-nanning"))  # alerts the admin about 2027
    with app.app_context():
        assert deliver_notifications() == 0  # the gateway fails once: kept pending, tried again after a pause
        assert deliver_notifications() == 0  # (not before it is over)
    with freeze_time(utcnow() + timedelta(minutes=2)), app.app_context():
        assert deliver_notifications() == 1
        assert deliver_notifications() == 0  # sent once only
    assert [(m.recipient, m.kind) for m in channel.sent] == [("admin", "calendar_year_missing")]
    admin = as_user("admin")
    assert admin.get("/api/v1/notifications").json["unread_count"] == 1
    read = admin.post("/api/v1/notifications/read", {})
    assert read.status_code == 200 and read.json["unread_count"] == 0


def test_a_closure_day_lifts_the_statutory_flag_and_a_new_breach_is_told_again(app: Any, as_user: Any) -> None:
    """Received Tue 1 Dec (legal deadline Fri 4 Dec), flagged 超法定时限 on Sat 5; a typhoon closure on Thu 3 Dec
    entered then moves the deadline to Mon 7 Dec: the flag stayed on, and when the new deadline passed nobody
    was told (the notice was kept once per case)."""
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-12-01 10:00")):
        case_id = _submit_unlock(app, ent)
    with freeze_time(local("2026-12-05 10:00")), app.app_context(), unit_of_work():
        refresh_deadline_states()
    assert ent.case(case_id)["statutory_overdue"] is True
    with freeze_time(local("2026-12-05 11:00")), app.app_context(), unit_of_work():
        set_day(None, date(2026, 12, 3), False, "台风停工")
    case = ent.case(case_id)
    assert case["statutory_overdue"] is False and case["statutory_due_at"] == utc_iso("2026-12-07 17:30")
    with freeze_time(local("2026-12-08 10:00")), app.app_context(), unit_of_work():
        refresh_deadline_states()
    assert ent.case(case_id)["statutory_overdue"] is True
    with app.app_context():
        told = db.session.scalars(select(Notification.title).where(
            Notification.kind == "case_statutory_overdue", Notification.case_id == case_id)).all()
    assert sorted({t.rsplit(" ", 2)[-2] for t in told}) == ["2026-12-04", "2026-12-07"]  # the first, then the new
