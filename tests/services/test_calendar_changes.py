"""An admin's change to the calendar moves the open deadlines across that day, and is logged."""
from __future__ import annotations

from datetime import date
from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.jobs.sla import refresh_deadline_states
from app.models import CalendarChange
from app.services.deadlines import calendar_admin
from app.services.identity.accounts import get_user_by_username
from tests.api.test_case_lifecycle import start_and_submit
from tests.support.deadlines import deploy_probes, events, local, utc_iso
from tests.support.deadlines import start_and_submit as submit_probe

TYPHOON_DAY = date(2026, 12, 2)


@freeze_time("2026-11-30 02:00:00")  # Monday 10:00 in Nanning: the review is due Thursday 12-03
def test_a_local_closure_moves_the_open_review_and_is_logged(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = start_and_submit(ent)
    assert city.task_for(case_id)["due_at"].startswith("2026-12-03")
    with app.app_context(), unit_of_work():
        calendar_admin.set_day(get_user_by_username("admin"), TYPHOON_DAY, False, "台风停工")
    assert city.task_for(case_id)["due_at"].startswith("2026-12-04")
    assert ent.case(case_id)["due_at"].startswith("2026-12-04")  # the case's statutory clock too
    with app.app_context(), unit_of_work():
        calendar_admin.clear_day(get_user_by_username("admin"), TYPHOON_DAY)
    assert city.task_for(case_id)["due_at"].startswith("2026-12-03")
    with app.app_context():
        changes = db.session.scalars(select(CalendarChange).where(CalendarChange.day == TYPHOON_DAY)
                                     .order_by(CalendarChange.id)).all()
        assert [(c.action, c.workday, c.previous, c.recomputed) for c in changes] == [
            ("set_day", False, None, 1),  # one case: its own deadline and its review's
            ("clear_day", None, {"workday": False, "name": "台风停工", "source": "admin"}, 1)]
        assert {c.actor_id for c in changes} == {get_user_by_username("admin").id}



def test_a_case_whose_deadline_a_closure_moved_says_so_in_its_history(as_user: Any, app: Any) -> None:
    """Received Mon 2 Mar 2026 at 10:00, due Thu 5 Mar: overdue on Fri 6 Mar, until Wed 4 Mar is declared a
    closure that morning; the history tells the deadlines moved, from when to when, and for which day."""
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = submit_probe(ent)
        clock.move_to(local("2026-03-06 10:00"))
        with app.app_context():
            refresh_deadline_states()
        assert ent.case(case_id)["deadline_state"] == "overdue"
        with app.app_context(), unit_of_work():
            calendar_admin.set_day(get_user_by_username("admin"), date(2026, 3, 4), False, "台风停工")
        moved = ent.case(case_id)
    assert moved["due_at"] == utc_iso("2026-03-06 17:30") and moved["deadline_state"] == "on_time"
    assert events(moved, "deadline_moved") == ["deadline_moved"]
    [event] = [e for e in moved["history"] if e["kind"] == "deadline_moved"]
    assert event["payload"]["due_at"] == [utc_iso("2026-03-05 17:30"), utc_iso("2026-03-06 17:30")]
    assert event["payload"]["statutory_due_at"] == [utc_iso("2026-03-30 17:30"), utc_iso("2026-03-31 17:30")]
    assert event["payload"]["cause"] == {"day": "2026-03-04", "workday": False, "name": "台风停工"}
