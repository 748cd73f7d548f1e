"""The smaller defects a user noticed (issue 20, point 8), each where he noticed it."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.services.demo import DEMO_PASSWORD, DEMO_USERNAMES
from tests.support.web import WebUser
from tests.web.test_pages import started_and_submitted

B_PROJECT = "4501002024B001"


def test_a_start_that_is_the_whole_application_says_submitted_not_fill_in(web: Callable[[str], WebUser]) -> None:
    ent = web("ent-nanning")
    form = ent.html("/cases/start/data_upgrade_b_to_a")
    project = re.search(r'<option value="(\d+)"[^>]*>[^<]*', form.split('name="project_id"')[1]).group(1)  # type: ignore
    response = ent.post("/cases/start/data_upgrade_b_to_a", {
        "project_id": project, "contact_name": "黄工", "contact_phone": "13800000000",
        "statement": "项目业绩真实，申请提升为A级", "commitment": "true"})
    assert response.status_code == 302 and "/cases/" in response.headers["Location"], response.get_data(as_text=True)
    page = ent.html(response.headers["Location"])
    assert "办件已提交，等待审核" in page and "请填写申请" not in page


def test_an_individual_is_not_asked_for_the_new_employers_fields(web: Callable[[str], WebUser]) -> None:
    own = web("person").html("/cases/start/personnel_deregistration")
    assert "新单位申请时填写" not in own and 'name="person_id_number"' not in own
    employer = web("ent-nanning").html("/cases/start/personnel_deregistration")
    assert "新单位申请时填写" in employer


def test_system_events_are_credited_to_the_system_not_the_operator(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    page = ent.html(f"/cases/{case_id}")
    clock = page.split('data-kind="clock_started"')[1].split("</li>")[0]
    assert "系统" in clock and "邕城建设·经办人" not in clock
    submitted = page.split('data-kind="task_completed"')[1].split("</li>")[0]
    assert "邕城建设·经办人" in submitted


def test_region_filters_list_only_guangxi(web: Callable[[str], WebUser]) -> None:
    for username in ("province", "city-nanning"):
        html = web(username).html("/tasks")
        assert "湖南省" not in html, username
    assert "湖南省" not in web("province").html("/cases")


def test_no_empty_task_menu_for_analyst_admin_and_supervisor(web: Callable[[str], WebUser]) -> None:
    for username in ("analyst", "admin", "supervisor"):
        assert 'href="/tasks"' not in web(username).html("/cases"), username
    for username in ("city-nanning", "province"):
        assert 'href="/tasks"' in web(username).html("/cases"), username


def test_login_page_names_the_demo_users_and_password(app: Any) -> None:
    html = app.test_client().get("/login").get_data(as_text=True)
    hint = html.split('data-testid="demo-hint"')[1].split("</div>")[0]
    assert "README" not in hint and DEMO_PASSWORD in hint
    assert all(f"<code>{name}</code>" in hint for name in DEMO_USERNAMES)


def test_demo_seed_prints_every_demo_user(app: Any) -> None:
    output = app.test_cli_runner().invoke(args=["demo", "seed"]).output
    line = next(line for line in output.splitlines() if line.startswith("demo users"))
    assert all(f" {name}" in line for name in DEMO_USERNAMES) and " admin" in line
