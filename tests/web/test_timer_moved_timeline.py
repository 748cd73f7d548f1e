"""The case's timeline tells a working-day timer that a calendar change moved, with its old and new moments, as it
tells a moved deadline (spot_check's 陈述申辩 timer, tests/services/test_working_day_timer_follows_calendar.py)."""
from __future__ import annotations

from typing import Any

from freezegun import freeze_time

from tests.procedures.steps import act_ok, upload
from tests.procedures.test_spot_check import _city_case


def test_the_case_timeline_tells_the_timer_moved_with_its_times(app: Any, as_user: Any, web: Any) -> None:
    """The history entry of a moved timer gives its old and new moments, as a moved deadline's does."""
    city = as_user("city-nanning")
    with freeze_time("2026-12-04 02:00:00"):  # Friday 10:00 in Nanning
        case_id = _city_case(app, city)
        act_ok(city, case_id, {"finding": "false_data", "findings": "竣工日期与验收证明不符",
                               "evidence_files": [upload(city, case_id, "核查记录.pdf")]})
        result = app.test_cli_runner().invoke(args=["calendar", "set", "2026-12-09", "holiday", "--name", "台风停工"])
        assert result.exit_code == 0, result.output
        reviewer = web("city-nanning")
        page = reviewer.html(f"/cases/{case_id}")
        reviewer.get("/lang/en")
        page_en = reviewer.html(f"/cases/{case_id}")
    assert "定时器时间由 2026-12-11 17:30 调整为 2026-12-14 17:30" in page
    assert "Timer moved from 2026-12-11 17:30 to 2026-12-14 17:30" in page_en
