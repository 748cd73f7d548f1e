"""The sandbox ("try it"): a draft's files, not deployed, run step by step by an analyst playing each role,
forms filled and checked, handlers run with their writes undone; a run is invisible to every real list and is
deleted with its draft."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEntry,
    Case,
    CaseEvent,
    Notification,
    Organisation,
    OutboxMessage,
    Procedure,
    SandboxRun,
    Task,
)
from app.services.procedures.sandbox import delete_draft_runs
from tests.api.test_procedure_api import BASE, OTHER_ROLES
from tests.support import procedures as review_support  # noqa: F401  (registers test.register_outcome)
from tests.support.api import ApiUser
from tests.support.procedure_files import replace, review_files

KEY = "material_review"
SANDBOX = f"{BASE}/{KEY}/sandbox"
RULES = replace('<spiffworkflow:property name="dueIn" value="3 working days"/>',
                '<spiffworkflow:property name="dueIn" value="3 working days"/>'
                '<spiffworkflow:property name="notSameAs" value="submit"/>'
                '<spiffworkflow:property name="notifyApplicant" value="true"/>')


def _draft(edit: Callable[[str], str] = RULES) -> dict[str, str]:
    return review_files(edit=edit)


def _complete(analyst: ApiUser, run: dict[str, Any], data: dict[str, Any], role: str | None = None,
              person: str | None = None) -> Any:
    assert "open_tasks" in run, run
    (task,) = run["open_tasks"]
    return analyst.post(f"{SANDBOX}/{run['id']}/tasks/{task['id']}/complete",
                        {"data": data, "role": role, "person": person})


def test_an_analyst_tries_a_draft_through_to_the_end_playing_each_role(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    started = analyst.post(SANDBOX, {"files": _draft()})
    assert started.status_code == 201, started.json
    run = started.json
    assert run["status"] == "running" and run["key"] == KEY
    (submit,) = run["open_tasks"]
    assert (submit["bpmn_id"], submit["role"], submit["role_title"]) == ("submit", "enterprise", "企业经办人")
    assert submit["form"]["properties"]["amount"]["type"] == "integer"

    bad = _complete(analyst, run, {"title": "x"}, role="enterprise")
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]) >= {"title", "amount"}
    wrong_role = _complete(analyst, run, {"title": "钢筋报告", "amount": 5}, role="city_reviewer")
    assert wrong_role.status_code == 422 and wrong_role.json["code"] == "sandbox_wrong_role"

    run = _complete(analyst, run, {"title": "钢筋报告", "amount": 5}, role="enterprise", person="企业甲").json
    (review,) = run["open_tasks"]
    assert (review["bpmn_id"], review["role"], review["rules"]["notSameAs"]) == ("review", "city_reviewer", "submit")
    four_eyes = _complete(analyst, run, {"decision": "approve"}, person="企业甲")
    assert four_eyes.status_code == 422 and four_eyes.json["code"] == "four_eyes"

    run = _complete(analyst, run, {"decision": "reject", "comment": "请补充"}, role="city_reviewer",
                    person="审核员乙").json
    assert run["open_tasks"][0]["bpmn_id"] == "submit"
    run = _complete(analyst, run, {"title": "钢筋报告（补充）", "amount": 6}, person="企业甲").json
    done = _complete(analyst, run, {"decision": "approve"}, role="city_reviewer", person="审核员乙")
    assert done.status_code == 200, done.json
    run = done.json
    assert run["status"] == "completed" and run["open_tasks"] == []
    assert run["data"]["round_no"] == 2 and run["data"]["registration"] == {"registered": True}
    assert run["persons"] == {"submit": "企业甲", "review": "审核员乙"}
    kinds = [s["kind"] for s in run["steps"]]
    assert kinds[0] == "started" and kinds[-1] == "completed"
    assert kinds.count("task_completed") == 4
    handler = next(s for s in run["steps"] if s["kind"] == "handler")
    assert handler["handler"] == "test.register_outcome" and handler["result"] == {"registered": True}
    again = analyst.get(f"{SANDBOX}/{run['id']}")
    assert again.status_code == 200 and again.json["status"] == "completed"
    closed = analyst.post(f"{SANDBOX}/{run['id']}/tasks/{submit['id']}/complete", {"data": {}})
    assert closed.status_code == 409


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Case, Task, CaseEvent, OutboxMessage, Notification, Procedure)}


def _real_lists(as_user: Any) -> dict[str, Any]:
    """What every real list shows: cases (and the search by number), task lists, notifications, dashboard
    tables and an export."""
    seen: dict[str, Any] = {}
    for username in ("admin", "analyst", "city-nanning", "ent-nanning", "province", "supervisor"):
        user = as_user(username)
        seen[f"cases {username}"] = user.get("/api/v1/cases?per_page=100").json
        seen[f"search {username}"] = user.get("/api/v1/cases?number=试运行-material_review").json
        for view in ("mine", "claimable", "done"):
            seen[f"tasks {view} {username}"] = user.get(f"/api/v1/tasks?view={view}&per_page=100").json
        seen[f"notifications {username}"] = user.get("/api/v1/notifications").json
    supervisor = as_user("supervisor")
    for table in ("open_cases", "open_tasks", "by_procedure", "by_step"):
        seen[f"dashboard {table}"] = supervisor.get(f"/api/v1/dashboard/{table}").json
    seen["export"] = supervisor.get("/api/v1/dashboard/open_tasks/export?format=csv").data
    return seen


def test_a_sandbox_run_is_invisible_to_every_real_list_and_sends_nothing(as_user: Any, app: Flask) -> None:
    ent = as_user("ent-nanning")
    ent.start("personnel_unlock")  # a real case beside the runs
    before, counts = _real_lists(as_user), _counts(app)
    analyst = as_user("analyst")
    finished = analyst.post(SANDBOX, {"files": _draft()}).json
    finished = _complete(analyst, finished, {"title": "甲方材料", "amount": 1}, person="企业甲").json
    finished = _complete(analyst, finished, {"decision": "approve"}, person="审核员乙").json
    assert finished["status"] == "completed"  # the handler ran: it enqueued a message and renamed the case
    waiting = analyst.post(SANDBOX, {"files": _draft()}).json
    waiting = _complete(analyst, waiting, {"title": "乙方材料", "amount": 2}, person="企业甲").json
    assert waiting["open_tasks"][0]["bpmn_id"] == "review"  # open for a city reviewer, in the sandbox only
    assert _counts(app) == counts
    assert _real_lists(as_user) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == 2


def test_a_broken_draft_is_refused_as_a_deploy_would_and_nothing_is_stored(as_user: Any, app: Flask) -> None:
    refused = as_user("analyst").post(SANDBOX, {"files": _draft(replace('decision == "approve"',
                                                                        'lead_decison == "approve"'))})
    assert refused.status_code == 422 and refused.json["code"] == "deploy_refused"
    problems = refused.json["details"]["problems"]
    assert [(p["file"], p["element"]) for p in problems] == [("bpmn/material_review.bpmn", "f_ok")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == 0


def test_start_data_is_checked_against_the_drafts_start_form(as_user: Any) -> None:
    files = _draft(replace('<spiffworkflow:property name="startRoles" value="enterprise"/>',
                           '<spiffworkflow:property name="startRoles" value="enterprise"/>'
                           '<spiffworkflow:property name="startForm" value="review_submit"/>'))
    analyst = as_user("analyst")
    refused = analyst.post(SANDBOX, {"files": files, "data": {"title": "x"}})
    assert refused.status_code == 422 and "amount" in refused.json["details"]["fields"]
    started = analyst.post(SANDBOX, {"files": files, "data": {"title": "钢筋", "amount": 3}})
    assert started.status_code == 201 and started.json["data"]["amount"] == 3


def test_runs_are_deleted_by_draft_or_one_by_one(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    first, second, third = (analyst.post(f"{BASE}/{KEY}/drafts", {"name": "材料审核"}).json["id"] for _ in range(3))
    ids = [analyst.post(SANDBOX, {"files": _draft(), "draft_id": draft}).json["id"] for draft in (first, first, second)]
    assert [r["id"] for r in analyst.get(f"{SANDBOX}?draft_id={first}").json["runs"]] == ids[1::-1]
    deleted = analyst.client.delete(f"{SANDBOX}?draft_id={first}", headers=analyst.headers)
    assert deleted.status_code == 200 and deleted.json == {"deleted": 2}
    assert [r["id"] for r in analyst.get(SANDBOX).json["runs"]] == [ids[2]]
    one = analyst.client.delete(f"{SANDBOX}/{ids[2]}", headers=analyst.headers)
    assert one.status_code == 204
    assert analyst.get(f"{SANDBOX}/{ids[2]}").status_code == 404
    analyst.post(SANDBOX, {"files": _draft(), "draft_id": third})
    with app.app_context():
        assert delete_draft_runs(third) == 1  # what deleting or deploying the draft calls
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == 0


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused(username: str, as_user: Any) -> None:
    run = as_user("admin").post(SANDBOX, {"files": _draft()}).json
    user = as_user(username)
    task = run["open_tasks"][0]["id"]
    calls = [user.post(SANDBOX, {"files": _draft()}), user.get(SANDBOX), user.get(f"{SANDBOX}/{run['id']}"),
             user.post(f"{SANDBOX}/{run['id']}/tasks/{task}/complete", {"data": {"title": "甲方材料", "amount": 1}}),
             user.client.delete(f"{SANDBOX}/{run['id']}", headers=user.headers),
             user.client.delete(f"{SANDBOX}?draft_id=1", headers=user.headers)]
    assert [c.status_code for c in calls] == [403] * len(calls), [c.json for c in calls]


def test_the_openapi_document_describes_the_sandbox(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/procedures/{key}/sandbox", "/api/v1/procedures/{key}/sandbox/{run_id}",
                 "/api/v1/procedures/{key}/sandbox/{run_id}/tasks/{task_id}/complete"):
        assert path in paths, sorted(paths)


DRAFTS = f"{BASE}/personnel_unlock/drafts"
UNLOCK_SANDBOX = f"{BASE}/personnel_unlock/sandbox"


def test_a_saved_draft_is_tried_by_its_id_and_its_runs_go_when_it_is_deleted_or_deployed(as_user: Any) -> None:
    analyst = as_user("analyst")
    kept, deleted, deployed = (analyst.post(DRAFTS, {}).json for _ in range(3))
    for draft in (kept, deleted, deleted, deployed):
        run = analyst.post(UNLOCK_SANDBOX, {"draft_id": draft["id"]})
        assert run.status_code == 201, run.json
        assert run.json["draft_id"] == draft["id"] and run.json["open_tasks"][0]["role"] == "enterprise"
    assert len(analyst.get(f"{UNLOCK_SANDBOX}?draft_id={deleted['id']}").json["runs"]) == 2

    assert analyst.client.delete(f"{DRAFTS}/{deleted['id']}", headers=analyst.headers).status_code in (200, 204)
    assert analyst.get(f"{UNLOCK_SANDBOX}?draft_id={deleted['id']}").json["runs"] == []
    files = dict(deployed["files"])
    files["bpmn/personnel_unlock.bpmn"] = files["bpmn/personnel_unlock.bpmn"].replace('name="审核解锁申请"',
                                                                                      'name="审核（新版）"')
    analyst.client.put(f"{DRAFTS}/{deployed['id']}", json={"files": files}, headers=analyst.headers)
    assert analyst.post(f"{DRAFTS}/{deployed['id']}/deploy", {"note": "试运行后部署"}).status_code == 201
    assert analyst.get(f"{UNLOCK_SANDBOX}?draft_id={deployed['id']}").json["runs"] == []
    assert [r["draft_id"] for r in analyst.get(UNLOCK_SANDBOX).json["runs"]] == [kept["id"]]

    missing = analyst.post(UNLOCK_SANDBOX, {"draft_id": deleted["id"]})
    assert missing.status_code == 404 and missing.json["code"] == "draft_not_found"
    neither = analyst.post(UNLOCK_SANDBOX, {})
    assert neither.status_code == 422 and "files" in neither.json["details"]["fields"]
    other_procedure = analyst.post(f"{BASE}/material_review/sandbox", {"draft_id": kept["id"]})
    assert other_procedure.status_code == 404


def test_a_failing_handler_stops_the_run_with_its_message_and_leaves_nothing(as_user: Any, app: Flask) -> None:
    counts, analyst = _counts(app), as_user("analyst")
    run = analyst.post(SANDBOX, {"files": _draft()}).json
    run = _complete(analyst, run, {"title": "钢筋报告", "amount": 5}, person="企业甲").json
    review_support.OUTAGE["remaining"] = 1
    try:
        failed = _complete(analyst, run, {"decision": "approve"}, person="审核员乙")
    finally:
        review_support.OUTAGE["remaining"] = 0
    assert failed.status_code == 200, failed.json
    assert failed.json["status"] == "error" and "登记系统暂时不可用" in failed.json["error"]
    assert failed.json["steps"][-1]["kind"] == "error"
    assert _counts(app) == counts


def test_a_run_applies_as_the_chosen_enterprise_and_the_audit_log_names_it(as_user: Any, app: Flask) -> None:
    analyst = as_user("analyst")
    with app.app_context():
        enterprise = db.session.scalars(select(Organisation).where(Organisation.name.like("%邕城%"))).one()
        authority = db.session.scalars(select(Organisation).where(Organisation.kind == "authority")
                                       .limit(1)).one()
        chosen = (enterprise.id, enterprise.name)
        refused_ids = (authority.id, 2_000_000)
        runs_before = db.session.scalar(select(func.count()).select_from(SandboxRun))

    started = analyst.post(SANDBOX, {"files": _draft(), "applicant_id": chosen[0]})
    assert started.status_code == 201, started.json
    run = started.json
    assert (run["applicant_id"], run["applicant_name"]) == chosen
    assert analyst.get(f"{SANDBOX}/{run['id']}").json["applicant_name"] == chosen[1]
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "procedure.sandbox_started",
                                                            AuditEntry.object_id == str(run["id"]))).one()
        assert (entry.details["applicant_id"], entry.details["applicant"]) == chosen

    for refused_id in refused_ids:  # an authority is no applicant; an unknown id is no enterprise
        refused = analyst.post(SANDBOX, {"files": _draft(), "applicant_id": refused_id})
        assert refused.status_code == 422, refused.json
        assert refused.json["message"] == "未找到该申请企业"
        assert refused.json["details"]["fields"]["applicant_id"] == "请选择申请企业"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SandboxRun)) == runs_before + 1  # none refused


def test_a_shipped_procedure_whose_start_claims_its_subjects_is_tried_without_a_case(as_user: Any,
                                                                                     app: Flask) -> None:
    """迁移数据确认's start handler claims the records it confirms (one open case per record): in a run there is no
    case row to claim them for, and the run answered 500 (so did B→A, 人员注销, 投标业绩修改). The claim is now
    checked against the open cases and made by none; the start's derived facts are there."""
    from app.models import PerformanceRecord
    from tests.support.procedure_files import shipped_files

    analyst, ent = as_user("analyst"), as_user("ent-nanning")
    with app.app_context():
        record_id = db.session.scalar(select(PerformanceRecord.id).where(
            PerformanceRecord.project_name == "南宁江南污水处理厂扩建工程"))
        nanning = db.session.scalar(select(Organisation.id).where(Organisation.name.like("%邕城%")))
    files = shipped_files("migrated_data_confirmation")
    url = f"{BASE}/migrated_data_confirmation/sandbox"
    started = analyst.post(url, {"files": files, "applicant_id": nanning, "data": {"record_ids": [record_id]}})
    assert started.status_code == 201, started.json
    assert started.json["data"]["migrated_summary"]["finance_years"] == 3
    real = ent.start("migrated_data_confirmation", {"record_ids": [record_id]})
    assert real.status_code == 201  # the run held nothing: a real case claims the record
    held = analyst.post(url, {"files": files, "applicant_id": nanning, "data": {"record_ids": [record_id]}})
    assert held.status_code == 422 and held.json["code"] == "duplicate_open_case"  # as a real start would be
