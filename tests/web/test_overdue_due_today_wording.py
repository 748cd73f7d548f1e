"""已超期（今日到期） only on the due day itself: a case due Friday 17:30 read "due today" all weekend, a case due
09-30 through the 国庆 week (the wording looked only at the working days since the due day). On the rest days
after it the list, its export and the English pages say it is overdue, by less than a working day."""
from __future__ import annotations

from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.web.presenters import working_days_left
from tests.support.deadlines import deploy_probes, local, start_and_submit
from tests.web.test_stopped_clock_display import exported, list_cell


def test_overdue_wording_on_the_due_day_and_on_the_rest_days_after_it(app: Flask) -> None:
    friday = local("2026-11-27 17:30")
    with app.test_request_context():
        assert working_days_left(friday, local("2026-11-27 18:00")) == "已超期（今日到期）"
        assert working_days_left(friday, local("2026-11-28 10:00")) == "已超期（不足 1 个工作日）"  # Saturday
        assert working_days_left(friday, local("2026-11-29 23:00")) == "已超期（不足 1 个工作日）"  # Sunday
        assert working_days_left(friday, local("2026-11-30 10:00")) == "已超期 1 个工作日"  # Monday
        national_day = local("2026-09-30 17:30")  # then 1-7 October are holidays
        assert working_days_left(national_day, local("2026-10-05 10:00")) == "已超期（不足 1 个工作日）"
    with app.test_request_context(headers={"Cookie": "gjy_lang=en"}):
        assert working_days_left(friday, local("2026-11-28 10:00")) == "Overdue (less than 1 working day)"


def test_the_case_list_and_its_export_on_the_saturday_after_the_due_friday(app: Flask, as_user: Any,
                                                                           web: Any) -> None:
    """Received Tue 3 Mar 2026: its 3 working days end Fri 6 Mar 17:30; seen on Saturday morning."""
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-03-03 10:00")) as clock:
        number = ent.case(start_and_submit(ent))["number"]
        clock.move_to(local("2026-03-07 10:00"))
        city = web("city-nanning")
        listed, row = list_cell(city.html("/cases"), number), exported(city, number)
    assert "已超期（不足 1 个工作日）" in listed and "今日到期" not in listed
    assert row["剩余时间"] == "已超期（不足 1 个工作日）"
