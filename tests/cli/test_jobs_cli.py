"""The worker's periodic jobs run by hand (a stopped worker, GJY_WORKER=off): `flask jobs refresh-deadlines` moves
a case past its limit to 超期 and tells the lead, as the worker's next round would; there was no command for it."""
from __future__ import annotations

from typing import Any

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from tests.procedures.steps import act_ok, upload
from tests.services.test_deadlines_decision import _lock_of
from tests.support.deadlines import local


def test_refresh_deadlines_moves_a_late_case_to_overdue_and_tells_the_lead(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-11-02 10:00")):
        case_id = int(ent.start("personnel_unlock").json["id"])
        act_ok(ent, case_id, {"kind": "duty_change", "lock_ids": [_lock_of(app, "覃丽")],
                              "reason": "项目负责人变更，需解除锁定", "application_files": [upload(ent, case_id)]})
    assert ent.case(case_id)["deadline_state"] == "on_time"
    with freeze_time(local("2026-11-09 10:00")):  # past the 3 working days
        ran = app.test_cli_runner().invoke(args=["jobs", "refresh-deadlines"])
    assert ran.exit_code == 0, ran.output
    assert ran.output.strip().endswith("deadline state(s) changed") and not ran.output.startswith("0 ")
    assert ent.case(case_id)["deadline_state"] == "overdue"
    with app.app_context():
        kinds = set(db.session.scalars(select(Notification.kind).where(Notification.case_id == case_id)))
    assert "case_overdue" in kinds or "task_overdue" in kinds
