"""A completion reads the task and its case's open tasks in one statement: the step that follows does not read
the case's open tasks again, and what it does with them (closing the completed one, keeping or cancelling a
parallel one, handing the next step to the same reviewer) is what it was."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Task, User
from app.services.deadlines import calendar_admin
from tests.support.api import ApiUser
from tests.support.deadlines import deploy_probes, local, start_and_submit, utc_iso
from tests.support.procedure_files import deploy_folder
from tests.support.queries import count_statements

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# submit, then review and expert side by side; review's "approve" ends the whole case (terminate: expert is
# cancelled), any other decision leads to recheck while expert stays open. The forms are the deadline probes'.
BPMN_DIR, FORMS_DIR = FIXTURES / "parallel" / "bpmn", FIXTURES / "deadlines" / "forms"

# A statement selecting from the tasks table (also in a subquery); not a join to it from another table, as the
# applicant notices' read of the case's events, nor an INSERT or UPDATE of it.
READS_TASKS = re.compile(r"^\s*SELECT\b.*\bFROM tasks\b", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def parallel_probe(app: Flask) -> str:
    deploy_folder(app, BPMN_DIR, FORMS_DIR)
    return "parallel_probe"


def _reviewing(ent: ApiUser, city: ApiUser, procedure: str) -> tuple[int, dict[str, str]]:
    """A case submitted, its review claimed by the city: (case id, open task id by bpmn id)."""
    case_id = start_and_submit(ent, procedure)
    open_tasks = {t["bpmn_id"]: t["id"] for t in ent.case(case_id)["open_tasks"]}
    assert set(open_tasks) == {"review", "expert"}
    assert city.claim(open_tasks["review"]).status_code == 200
    return case_id, open_tasks


def _tasks_by_bpmn_id(app: Flask, case_id: int) -> dict[str, tuple[str, str | None]]:
    """(status, holder's username) of each task row of the case."""
    with app.app_context():
        rows = db.session.execute(select(Task.bpmn_id, Task.status, User.username).outerjoin(
            User, User.id == Task.assignee_id).where(Task.case_id == case_id)).all()
    return {bpmn_id: (status, username) for bpmn_id, status, username in rows}


def test_a_completion_reads_the_case_s_open_tasks_with_the_task(
        app: Flask, as_user: Callable[[str], ApiUser], parallel_probe: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, open_tasks = _reviewing(ent, city, parallel_probe)
    with count_statements(app) as seen:
        done = city.complete(open_tasks["review"], {"decision": "supplement"})
    assert done.status_code == 200, done.json
    task_reads = [s for s in seen if READS_TASKS.match(s)]
    assert len(task_reads) == 1, task_reads  # the task with its case's open tasks; nothing after it
    assert "tasks.case_id = (SELECT" in task_reads[0]
    tasks = _tasks_by_bpmn_id(app, case_id)
    assert tasks["review"] == ("completed", "city-nanning")
    assert tasks["expert"] == ("open", None)  # the parallel task stays
    # The completed task was among the rows the step knew: the next step of its role stays with its reviewer.
    assert tasks["recheck"] == ("open", "city-nanning")
    assert {t["bpmn_id"] for t in city.case(case_id)["open_tasks"]} == {"expert", "recheck"}


def test_a_completion_that_ends_the_case_cancels_the_parallel_task(
        app: Flask, as_user: Callable[[str], ApiUser], parallel_probe: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, open_tasks = _reviewing(ent, city, parallel_probe)
    assert city.complete(open_tasks["review"], {"decision": "approve"}).status_code == 200
    case = city.case(case_id)
    assert _tasks_by_bpmn_id(app, case_id) == {"submit": ("completed", "ent-nanning"),
                                               "review": ("completed", "city-nanning"),
                                               "expert": ("cancelled", None)}
    assert case["open_tasks"] == [] and case["status"] == "completed"
    assert [e["task_id"] for e in case["history"] if e["kind"] == "task_cancelled"] == [open_tasks["expert"]]


def test_a_completion_is_still_refused_as_not_found_to_who_may_not_see_the_task(
        app: Flask, as_user: Callable[[str], ApiUser], parallel_probe: str) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, open_tasks = _reviewing(ent, city, parallel_probe)
    for outsider in ("city-liuzhou", "ent-liuzhou"):
        refused = as_user(outsider).complete(open_tasks["review"], {"decision": "approve"})
        assert refused.status_code == 404, refused.json
    assert city.complete("no-such-task", {"decision": "approve"}).status_code == 404
    assert {bpmn_id: status for bpmn_id, (status, _holder) in _tasks_by_bpmn_id(app, case_id).items()} == {
        "submit": "completed", "review": "open", "expert": "open"}



CALENDAR_SIGNATURE = re.compile(r"\bFROM calendar_changes\b", re.IGNORECASE)


def test_a_completion_counts_working_days_on_the_calendar_read_with_the_task(
        app: Flask, as_user: Callable[[str], ApiUser]) -> None:
    """The step after a submission starts the case's clock (3 working days) on the calendar whose signature
    came with the task, not read on its own; a holiday the admin entered after the case was started (and the
    calendar cached by this process) is counted."""
    deploy_probes(app)
    ent = as_user("ent-nanning")
    with freeze_time(local("2026-09-08 10:00")):  # a Tuesday
        started = ent.start("clock_probe")
        assert started.status_code == 201, started.json
        case_id = int(started.json["id"])
        with app.app_context(), unit_of_work():
            calendar_admin.set_day(None, date(2026, 9, 9), False, "临时放假")
        submit = next(t["id"] for t in ent.case(case_id)["open_tasks"])
        with count_statements(app) as seen:
            assert ent.complete(submit, {"note": "申请"}).status_code == 200
    signature_reads = [s for s in seen if CALENDAR_SIGNATURE.search(s)]
    assert len(signature_reads) == 1 and READS_TASKS.match(signature_reads[0]), signature_reads
    case = ent.case(case_id)
    assert case["due_at"] == utc_iso("2026-09-14 17:30")  # Thu 10, Fri 11, Mon 14: not Wed 9
