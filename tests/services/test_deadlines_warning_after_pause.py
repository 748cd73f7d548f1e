"""After a pause the warning (黄牌) comes at 90 % of the time the clock ran, not 90 % of limit plus pause.

The probe procedures as in test_deadlines_pause.py: committed 3 working days, warning at 90 %.
"""
from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from app.jobs.sla import refresh_deadline_states
from tests.procedures.steps import act_ok
from tests.services.test_deadlines_pause import _supplement_round
from tests.support.deadlines import deploy_probes, local, start_and_submit, utc_iso


@pytest.fixture
def probes(app: Any) -> None:
    deploy_probes(app)


def test_resumed_clock_warns_at_ninety_percent_of_its_running_time(app: Any, as_user: Any, probes: None) -> None:
    city = as_user("city-nanning")
    _, resumed = _supplement_round(as_user("ent-nanning"), city, "clock_probe")
    # Received Mon 2 Mar 10:00; 90 % of 3 office days = 24.3 h -> 5 Mar 14:48; 5 paused working days later.
    assert (resumed["due_at"], resumed["warn_at"]) == (utc_iso("2026-03-12 17:30"), utc_iso("2026-03-12 14:48"))
    with freeze_time(local("2026-03-12 10:30")), app.app_context():
        refresh_deadline_states()
    assert city.case(resumed["id"])["deadline_state"] == "on_time"  # the old rule warned at 10:18
    with freeze_time(local("2026-03-12 14:50")), app.app_context():
        refresh_deadline_states()
    assert city.case(resumed["id"])["deadline_state"] == "warning"


def test_excluded_step_moves_the_warning_by_the_excluded_days(as_user: Any, probes: None) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-03-03 10:00"))
        act_ok(city, case_id, {"decision": "expert"})
        clock.move_to(local("2026-03-05 16:00"))
        act_ok(city, case_id, {"ok": True})  # 4 and 5 Mar excluded
        resumed = city.case(case_id)
    assert (resumed["due_at"], resumed["warn_at"]) == (utc_iso("2026-03-09 17:30"), utc_iso("2026-03-09 14:48"))
