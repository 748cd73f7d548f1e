"""A new procedure made of files only, posted through the API (no handler, no Python written for it): a decision
table picks one review or two, a four-eyes rule keeps the first reviewer off the second review; deployed, tried in
the sandbox, and run end to end by an enterprise and two city reviewers."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import CaseClock
from app.services.identity.accounts import create_user, get_user_by_username
from tests.api.test_procedure_api import BASE, _deploy
from tests.support.api import ApiUser

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "procedures" / "no_python"
KEY = "site_safety_filing"


def _files() -> dict[str, str]:
    files = {f"bpmn/{p.name}": p.read_text("utf-8") for p in sorted(FOLDER.glob("*.bpmn"))}
    files.update({f"bpmn/{p.name}": p.read_text("utf-8") for p in sorted(FOLDER.glob("*.dmn"))})
    files["bpmn/lanes.json"] = (FOLDER / "lanes.json").read_text("utf-8")
    files.update({f"forms/{p.name}": p.read_text("utf-8") for p in sorted((FOLDER / "forms").glob("*.json"))})
    return files


def _second_reviewer(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        first = get_user_by_username("city-nanning")
        create_user("city-nanning-2", "南宁市住建局·审核员二", "x-Passw0rd!", first.organisation_id, "450100",
                    ["city_reviewer"])


def _review(city: ApiUser, case_id: int, data: dict[str, Any]) -> Any:
    task = city.task_for(case_id)
    assert task is not None, f"{city.username} should see the open review of case {case_id}"
    claimed = city.claim(task["id"])
    if claimed.status_code != 200:
        return claimed
    return city.complete(task["id"], data)


def test_a_procedure_of_files_only_with_a_decision_table_and_four_eyes_runs_end_to_end(
        as_user: Any, app: Flask) -> None:
    _second_reviewer(app)
    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    first, second = as_user("city-nanning"), as_user("city-nanning-2")
    files = _files()
    assert _deploy(analyst, KEY, files, note=None, dry_run=True).json == {"problems": []}

    # Tried in the sandbox first: the table sends a high-risk filing to a second review, four-eyes holds.
    run = analyst.post(f"{BASE}/{KEY}/sandbox", {"files": files, "data": {
        "project_name": "试运行工程", "workers": 10, "high_risk": True}}).json
    assert run["data"]["review_path"] == "double" and run["open_tasks"][0]["bpmn_id"] == "first_review"
    complete = f"{BASE}/{KEY}/sandbox/{run['id']}/tasks"
    run = analyst.post(f"{complete}/{run['open_tasks'][0]['id']}/complete",
                       {"data": {"decision": "approve"}, "role": "city_reviewer", "person": "审核员甲"}).json
    assert run["open_tasks"][0]["bpmn_id"] == "second_review"
    same = analyst.post(f"{complete}/{run['open_tasks'][0]['id']}/complete",
                        {"data": {"confirm_decision": "approve"}, "person": "审核员甲"})
    assert same.status_code == 422 and same.json["code"] == "four_eyes"

    deployed = _deploy(analyst, KEY, files, note="新事项：施工安全备案（决策表 + 四眼复核）")
    assert deployed.status_code == 201 and deployed.json["version"] == 1
    listed = {p["key"]: p for p in ent.get(BASE).json}
    assert set(listed[KEY]["start_form"]["required"]) == {"project_name", "workers", "high_risk"}
    (table,) = analyst.get(f"{BASE}/{KEY}/versions/1/decisions").json["decisions"]
    assert table["id"] == "filing_level" and len(table["rules"]) == 3

    # A high-risk filing: first review, then a second by another reviewer (four-eyes refuses the first).
    risky = ent.start(KEY, {"project_name": "滨江大道深基坑工程", "workers": 80, "high_risk": True})
    assert risky.status_code == 201, risky.json
    case_id = risky.json["id"]
    assert risky.json["due_at"] is not None  # the statutory clock runs from receipt: the city's first review
    with app.app_context():
        assert db.session.scalar(select(CaseClock).where(CaseClock.case_id == case_id)) is not None
    assert _review(first, case_id, {"decision": "approve", "comment": "资料齐全"}).status_code == 200
    assert ent.case(case_id)["current_step"] == "备案复核"
    refused = _review(first, case_id, {"confirm_decision": "approve"})
    assert refused.status_code == 422 and refused.json["code"] == "four_eyes"
    assert _review(second, case_id, {"confirm_decision": "approve"}).status_code == 200
    done = ent.case(case_id)
    assert done["status"] == "completed" and done["data"]["review_path"] == "double"
    reviewers = [e["actor"]["username"] for e in done["history"] if e["kind"] == "task_completed"]
    assert reviewers == ["city-nanning", "city-nanning-2"]

    # A small, ordinary filing: the table decides one review is enough.
    simple = ent.start(KEY, {"project_name": "社区活动中心装修", "workers": 12, "high_risk": False}).json
    assert _review(second, simple["id"], {"decision": "approve"}).status_code == 200
    done = ent.case(simple["id"])
    assert done["status"] == "completed" and done["data"]["review_path"] == "single"
    assert [e["kind"] for e in done["history"]].count("task_completed") == 1
