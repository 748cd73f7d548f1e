"""A deadline whose clock no longer runs shows no countdown: a withdrawn case (neither running nor 按时办结), a
paused one (补正) and one decided on time that stays open (a temporary unlock waiting for its re-lock date), on
办件查询's list, on the case page and in its CSV export alike. A deadline a calendar change moved says so in the
case's timeline."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from flask import Flask
from freezegun import freeze_time

from app.db import unit_of_work
from app.services.deadlines import calendar_admin
from tests.procedures.steps import act_ok
from tests.services.test_deadlines_decision import approve_temporary_unlock
from tests.support.deadlines import deploy_probes, local, start_and_submit
from tests.web.test_deadline_display import part, timeline

COUNTDOWN = ("剩余", "已超期", "今日到期")


def list_cell(html: str, number: str) -> str:
    """The 办理时限 cell of the case's row on 办件查询, as text, with the badge classes kept."""
    row = html.split(f'data-case-number="{number}"', 1)[1].split("</tr>", 1)[0]
    cell = row.split('data-testid="case-deadline">', 1)[1].split("</td>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split()) + " " + " ".join(re.findall(r'class="([^"]+)"', cell))


def exported(user: Any, number: str) -> dict[str, str]:
    """The case's row of the CSV export, by column title."""
    table = list(csv.reader(io.StringIO(user.get("/cases/export.csv").get_data().decode("utf-8-sig"))))
    return next(dict(zip(table[0], row, strict=True)) for row in table[1:] if row[0] == number)


def test_a_withdrawn_case_shows_no_countdown_and_no_outcome(app: Flask, as_user: Any, web: Any) -> None:
    """Received Mon 2 Mar 2026 (committed 3 working days: Thu 5 Mar), withdrawn Tue 3 Mar; seen on 20 Mar, long
    after its committed limit: not 超期 by N working days, not 按时办结."""
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-03-03 10:00"))
        assert ent.post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再办理"}).status_code == 200
        clock.move_to(local("2026-03-20 10:00"))
        number = ent.case(case_id)["number"]
        city = web("city-nanning")
        listed, page = list_cell(city.html("/cases"), number), city.html(f"/cases/{case_id}")
        row = exported(city, number)
    assert "已撤回" in listed and "text-bg-danger" not in listed
    assert not any(word in listed for word in COUNTDOWN)
    committed, statutory = part(page, "committed-deadline"), part(page, "statutory-deadline")
    for shown in (committed, statutory):
        assert "已撤回" in shown and "撤回后不再计时" in shown, shown
        assert not any(word in shown for word in (*COUNTDOWN, "按时办结", "超期")), shown
    assert (row["时限状态"], row["剩余时间"]) == ("已撤回", "")


def test_a_paused_case_exports_no_countdown(app: Flask, as_user: Any, web: Any) -> None:
    deploy_probes(app)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-03-03 10:00"))
        act_ok(city, case_id, {"decision": "supplement"})  # waits for the applicant: the clock stands still
        clock.move_to(local("2026-03-20 10:00"))
        number = ent.case(case_id)["number"]
        reviewer = web("city-nanning")
        listed, row = list_cell(reviewer.html("/cases"), number), exported(reviewer, number)
    assert "暂停计时" in listed and not any(word in listed for word in COUNTDOWN)
    assert (row["时限状态"], row["剩余时间"]) == ("暂停计时", "")


def test_a_case_decided_on_time_and_still_open_exports_no_countdown(app: Flask, as_user: Any, web: Any) -> None:
    """A temporary unlock approved on its first day waits weeks for its re-lock date: 按时办结, nothing left to
    count (the export said 已超期 N 个工作日 once its committed limit had passed)."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = approve_temporary_unlock(app, ent, city, "2027-01-15")
        clock.move_to(local("2026-12-10 10:00"))
        decided = ent.case(case_id)
        assert decided["status"] == "running"
        reviewer = web("city-nanning")
        listed, row = list_cell(reviewer.html("/cases"), decided["number"]), exported(reviewer, decided["number"])
    assert "按时办结" in listed and not any(word in listed for word in COUNTDOWN)
    assert (row["时限状态"], row["剩余时间"]) == ("按时办结", "")


def test_the_timeline_tells_a_deadline_moved_by_a_closure(app: Flask, as_user: Any, web: Any) -> None:
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)  # due Thu 5 Mar 17:30
        clock.move_to(local("2026-03-03 09:00"))
        with app.app_context(), unit_of_work():
            calendar_admin.set_day(None, date(2026, 3, 4), False, "台风停工")
        reviewer = web("city-nanning")
        page = reviewer.html(f"/cases/{case_id}")
        reviewer.get("/lang/en")
        page_en = reviewer.html(f"/cases/{case_id}")
    assert dict(timeline(page))["deadline_moved"] == "日历调整，时限重算"
    details = " ".join(re.findall(r'data-testid="event-detail">([^<]+)<', page))
    assert "2026-03-04 调整为休息日（台风停工） · 办理时限由 2026-03-05 17:30 调整为 2026-03-06 17:30" in details
    assert "法定时限由 2026-03-30 17:30 调整为 2026-03-31 17:30" in details
    assert dict(timeline(page_en))["deadline_moved"] == "Deadline moved by a calendar change"
    assert "Deadline moved from 2026-03-05 17:30 to 2026-03-06 17:30" in page_en


def test_the_case_search_names_the_warning_state_as_the_dashboard_and_the_notices_do(web: Any) -> None:
    """One state, one name: 办件查询 offered 临期 while the dashboard counts 预警（黄牌）, the notices say 【预警】."""
    page = web("city-nanning").html("/cases")
    options = page.split('name="deadline"')[1].split("</select>")[0]
    assert ">预警</option>" in options
    assert "临期" not in page
