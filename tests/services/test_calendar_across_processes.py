"""A calendar edit made by one process is used by every other one from its next transaction on.

Each app instance (`make_app`) caches the calendar for itself, as a process does; the admin's CLI also
runs as a real separate process. The periodic SLA job puts right a provisional deadline that was computed
before the year was entered.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import insert, select

from app.db import unit_of_work
from app.extensions import db
from app.jobs.sla import refresh_deadline_states
from app.models import CalendarDay, CalendarSource, CalendarYear, Notification
from app.services.deadlines import calendar_admin
from app.services.identity.accounts import get_user_by_username, issue_token
from tests.conftest import TEST_DATA_KEY
from tests.support.api import ApiUser
from tests.support.deadlines import deploy_probes, local, start_and_submit, utc_iso

ROOT = Path(__file__).resolve().parent.parent.parent
NEW_YEAR = local("2026-12-30 10:00")  # 3 working days reach into 2027, which the calendar does not know yet


def _user(app: Flask, username: str) -> ApiUser:
    with app.app_context(), unit_of_work():
        token = issue_token(get_user_by_username(username))
    return ApiUser(app, app.test_client(), username, token)


def _year_alerts(app: Flask) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.payload).where(
            Notification.kind == "calendar_year_missing")))


@pytest.mark.committing  # two apps (two processes): each must see what the other committed
def test_a_year_confirmed_in_one_app_is_used_by_another_at_once(make_app: Callable[[], Flask]) -> None:
    web, worker = make_app(), make_app()
    deploy_probes(web)
    ent = _user(worker, "ent-nanning")
    with freeze_time(NEW_YEAR):
        first = ent.case(start_and_submit(ent))  # this app has read (and cached) the calendar without 2027
        assert (first["due_at"], first["deadline_provisional"]) == (utc_iso("2027-01-04 17:30"), True)
        with web.app_context(), unit_of_work():  # the admin, in another process
            calendar_admin.set_day(None, local("2027-01-01 00:00").date(), False, "元旦")
            calendar_admin.confirm_year(None, 2027)
        second = ent.case(start_and_submit(ent))
    assert (second["due_at"], second["deadline_provisional"]) == (utc_iso("2027-01-05 17:30"), False)
    assert second["open_tasks"][0]["deadline_provisional"] is False
    assert ent.case(first["id"])["due_at"] == utc_iso("2027-01-05 17:30")  # recomputed by the confirmation
    assert [p["year"] for p in _year_alerts(worker)] == [2027]  # alerted once, before it was entered


@pytest.mark.committing  # the CLI runs in a subprocess on the test's database
def test_a_year_confirmed_by_the_cli_in_another_process_is_used_at_once(app: Flask, as_user: Any,
                                                                         database_url: str, tmp_path: Path) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(NEW_YEAR):
        assert ent.case(start_and_submit(ent))["deadline_provisional"] is True
        env = {**os.environ, "DATABASE_URL": database_url, "GJY_DEMO": "1", "GJY_WORKER": "off",
               "GJY_DATA_KEY": TEST_DATA_KEY, "UPLOAD_DIR": str(tmp_path / "cli-uploads")}
        flask = str(Path(sys.executable).parent / "flask")
        for args in (["calendar", "set", "2027-01-01", "holiday", "--name", "元旦"], ["calendar", "confirm", "2027"]):
            done = subprocess.run([flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        later = ent.case(start_and_submit(ent))
    assert (later["due_at"], later["deadline_provisional"]) == (utc_iso("2027-01-05 17:30"), False)


def test_the_sla_job_recomputes_provisional_deadlines_of_years_entered_meanwhile(app: Flask, as_user: Any) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(NEW_YEAR):
        case_id = start_and_submit(ent)
        # 2027 entered by a process that did not get to recompute (or while this deadline was being computed)
        with app.app_context(), unit_of_work():
            db.session.execute(insert(CalendarDay).values(day=local("2027-01-01 00:00").date(), workday=False,
                                                          name="元旦", source=CalendarSource.ADMIN,
                                                          updated_at=NEW_YEAR))
            db.session.execute(insert(CalendarYear).values(year=2027, source=CalendarSource.ADMIN,
                                                           confirmed_at=NEW_YEAR))
        assert ent.case(case_id)["deadline_provisional"] is True
        with app.app_context():
            refresh_deadline_states()
        case = ent.case(case_id)
    assert (case["due_at"], case["deadline_provisional"]) == (utc_iso("2027-01-05 17:30"), False)
    assert case["statutory_due_at"] == utc_iso("2027-01-28 17:30")
    task = case["open_tasks"][0]
    assert (task["due_at"], task["deadline_provisional"], task["deadline_state"]) == (
        utc_iso("2027-01-05 17:30"), False, "on_time")
