"""A case returned for 补正 after its limit passed stays on the red board (超期（暂停计时）): returning a late case
does not clear the dashboard's red count and list, nor the case search's overdue filter; the REST API's
deadline_state of the case stays "paused"."""
from __future__ import annotations

import re
from typing import Any

from freezegun import freeze_time

from app.jobs.sla import refresh_deadline_states
from app.services.dashboard import DashboardRequest, get_table
from tests.procedures.steps import act_ok
from tests.support.deadlines import deploy_probes, local, start_and_submit
from tests.support.web import WebUser

NANNING = DashboardRequest(region="450100")
# clock_probe: committed 3 working days, statutory 20. Received Mon 2 Mar 2026: due Thu 5 Mar 17:30, statutory
# Mon 30 Mar 17:30. The late case is returned for 补正 on Wed 1 Apr, the other one on Tue 3 Mar, in time.
RECEIVED, ON_TIME_RETURN = "2026-03-02 10:00", "2026-03-03 10:00"
LATE_RETURN, LATER = "2026-04-01 10:00", "2026-04-10 10:00"


def _red_kpi(app: Any) -> int:
    html = WebUser(app, "supervisor").login().client.get("/dashboard?region=450100").data.decode()
    found = re.search(r'dash-kpi red"><span>超期（红牌）</span><strong>(\d+)</strong>', html)
    assert found, html
    return int(found.group(1))


def _cases(app: Any, as_user: Any) -> tuple[int, int, int]:
    """(the late case, the case returned in time, the red KPI just before the late return)."""
    deploy_probes(app)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local(RECEIVED)) as clock:
        late, in_time = start_and_submit(ent), start_and_submit(ent)
        clock.move_to(local(ON_TIME_RETURN))
        act_ok(city, in_time, {"decision": "supplement"})
        clock.move_to(local(LATE_RETURN))
        with app.app_context():
            refresh_deadline_states()  # overdue, and past the statutory limit (flagged)
        red_before = _red_kpi(app)
        act_ok(city, late, {"decision": "supplement"})
    return late, in_time, red_before


def test_a_late_case_returned_for_supplement_stays_red(app: Any, as_user: Any, actor: Any) -> None:
    late, in_time, red_before = _cases(app, as_user)
    case = as_user("city-nanning").case(late)
    assert (case["deadline_state"], case["statutory_overdue"]) == ("paused", True)  # the API's values as they were
    with freeze_time(local(LATER)):
        assert _red_kpi(app) == red_before  # the return did not clear the red board
    with app.app_context():
        cases = get_table(actor("supervisor"), "overdue_cases", NANNING, now=local(LATER))
        listed = {row["case_id"]: row for row in cases.rows}
        assert late in listed and in_time not in listed
        row = listed[late]
        assert (row["deadline_status"], row["statutory_overdue"]) == ("超期（暂停计时）", "是")
        assert row["days_late"] == 27  # counted to the return (5 Mar 17:30 .. 1 Apr 10:00), not to today
        open_cases = get_table(actor("supervisor"), "open_cases", NANNING, now=local(LATER)).rows
        probe = next(r for r in open_cases if r["procedure"] == "clock_probe")
        assert (probe["overdue"], probe["paused_overdue"], probe["paused"], probe["total"]) == (0, 1, 1, 2)


def test_the_case_search_finds_a_late_returned_case_as_overdue(app: Any, as_user: Any) -> None:
    """The pages' 办件查询 agrees with the red board; the API's filter stays the stored state, as its rows read."""
    late, in_time, _red = _cases(app, as_user)
    city = as_user("city-nanning")
    with freeze_time(local(LATER)):
        page = WebUser(app, "city-nanning").login()
        number = city.get(f"/api/v1/cases/{late}").json["number"]
        other = city.get(f"/api/v1/cases/{in_time}").json["number"]
        red_page = page.client.get("/cases?deadline=overdue&procedure=clock_probe").data.decode()
        found = city.get("/api/v1/cases?deadline_state=overdue&procedure=clock_probe").json
        paused = city.get("/api/v1/cases?deadline_state=paused&procedure=clock_probe").json
    assert number in red_page and other not in red_page
    assert found["items"] == []  # the API: no row reads overdue
    assert {c["id"] for c in paused["items"]} == {late, in_time}  # both stand still: the stored state
