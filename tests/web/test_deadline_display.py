"""Deadlines on the pages: provisional (暂定) task and case deadlines, the case's committed and statutory
limits, a paused clock with its reason, clock events in the timeline, a provisional timer, and a county's
cases in warning on the dashboard."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from freezegun import freeze_time

from tests.procedures.steps import act_ok
from tests.services.test_working_day_timers import deploy_workday_timer
from tests.support.deadlines import deploy_probes, local, start_and_submit
from tests.support.factories import NOVEMBER_QUERY


def part(html: str, testid: str) -> str:
    """The text of the element with this data-testid: a <dd> to its end, a <span> to the end of its line."""
    match = re.search(rf'<(dd|span)[^>]*data-testid="{testid}"[^>]*>(.*?)</(?:dd|div)>', html, re.S)
    assert match, f"no {testid} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def timeline(html: str) -> list[str]:
    return re.findall(r'data-kind="([a-z_]+)">\s*<div><strong>([^<]+)</strong>', html)


def test_provisional_deadlines_say_so_on_the_task_and_the_case_page(app: Flask, as_user: Any, web: Any) -> None:
    deploy_probes(app)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-12-30 10:00")):  # the limits reach into 2027, not entered yet
        case_id = start_and_submit(ent)
        review = city.task_for(case_id)
        reviewer = web("city-nanning")
        task_page, case_page = reviewer.html(f"/tasks/{review['id']}"), reviewer.html(f"/cases/{case_id}")
    assert "暂定" in part(task_page, "deadline") and "2027-01-04 17:30" in part(task_page, "deadline")
    committed, statutory = part(case_page, "committed-deadline"), part(case_page, "statutory-deadline")
    assert "2027-01-04 17:30" in committed and "暂定" in committed and "3 个工作日" in committed
    assert "2027-01-27 17:30" in statutory and "暂定" in statutory and "20 个工作日" in statutory
    current = case_page.split('data-testid="current-step"', 1)[1].split("</dd>", 1)[0]
    assert "暂定" in current  # the open review's own deadline


def test_case_page_shows_both_limits_the_pause_and_the_clock_events(app: Flask, as_user: Any, web: Any) -> None:
    deploy_probes(app)
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-03-02 10:00")) as clock:
        case_id = start_and_submit(ent)
        running = web("ent-nanning").html(f"/cases/{case_id}")
        clock.move_to(local("2026-03-03 10:00"))
        act_ok(city, case_id, {"decision": "supplement"})
        paused = web("ent-nanning").html(f"/cases/{case_id}")
        clock.move_to(local("2026-03-10 10:00"))
        act_ok(ent, case_id, {"note": "已补正"})
        resumed = web("city-nanning").html(f"/cases/{case_id}")
    assert "2026-03-05 17:30" in part(running, "committed-deadline") and "正常" in part(running, "committed-deadline")
    assert "2026-03-30 17:30" in part(running, "statutory-deadline")  # 20 working days
    assert "暂定" not in part(running, "committed-deadline") and 'data-testid="clock-paused"' not in running
    pause = part(paused, "clock-paused")
    assert "暂停计时" in pause and "等待申请人补正" in pause and "2026-03-03 10:00" in pause
    assert "暂停计时" in part(paused, "committed-deadline")
    assert "2026-03-12 17:30" in part(resumed, "committed-deadline")  # 5 working days did not count
    titles = dict(timeline(resumed))
    assert (titles["clock_started"], titles["clock_paused"], titles["clock_resumed"]) == (
        "开始计时", "暂停计时", "恢复计时")
    assert "clock_started" not in re.sub(r'data-kind="[a-z_]+"|kind-[a-z_]+', "", resumed)  # no raw keys shown
    details = " ".join(re.findall(r'data-testid="event-detail">([^<]+)<', resumed))
    assert "承诺时限 3 个工作日 · 法定时限 20 个工作日" in details
    assert "原因：等待申请人补正" in details and "暂停期间 5 个工作日不计入时限" in details


def test_warning_and_overdue_events_have_titles(app: Flask, as_user: Any, web: Any) -> None:
    from app.jobs.sla import refresh_deadline_states

    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-30 10:00")) as clock:
        case_id = start_and_submit(ent)
        clock.move_to(local("2026-11-04 09:00"))  # past the committed and the statutory limit
        with app.app_context():
            refresh_deadline_states()
        page = web("city-nanning").html(f"/cases/{case_id}")
        english = web("city-nanning")
        english.get("/lang/en")
        page_en = english.html(f"/cases/{case_id}")
    titles = dict(timeline(page))
    assert (titles["deadline_overdue"], titles["statutory_overdue"]) == ("超过办理时限", "超过法定时限")
    assert "超期" in part(page, "statutory-deadline")
    titles_en = dict(timeline(page_en))
    assert (titles_en["clock_started"], titles_en["statutory_overdue"]) == (
        "Clock started", "Statutory limit (法定时限) passed")
    assert "Committed limit (承诺时限)" in page_en


def test_a_provisional_timer_says_so_on_the_case_page(app: Flask, as_user: Any, web: Any, tmp_path: Path) -> None:
    deploy_workday_timer(app, tmp_path)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-12-30 10:00")):
        case_id = ent.start("workday_timer_probe").json["id"]
        page = web("ent-nanning").html(f"/cases/{case_id}")
    assert "预计 2027-01-04 17:30 自动继续" in page and 'data-testid="timer-provisional"' in page
    assert dict(timeline(page))["timer_provisional"] == "定时器按暂定日历计算"


def test_a_county_page_of_the_dashboard_lists_its_cases_in_warning(app: Flask, world: Any, web: Any) -> None:
    html = web("supervisor").html(f"/dashboard?region=450102&{NOVEMBER_QUERY}")
    listed = html.split('data-table="warning_cases"', 1)[1].split("</table>", 1)[0]
    assert f'href="/cases/{world["o2"]}"' in listed and "兴宁区" in listed
