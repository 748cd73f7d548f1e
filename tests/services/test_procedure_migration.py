"""Moving running cases from one version of a procedure to another: per case, whole or not at all, with the
case's claims and deadlines, recorded in its history and the procedure's change log."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import AuditEntry, Case, CaseClock, ProcedureChange, Task, User
from app.services.procedures.deploy import deploy_files
from app.services.procedures.migration import migrate_cases
from tests.support.api import ApiUser
from tests.support.procedure_files import replace, review_files

KEY = "material_review"
SUBMIT = {"title": "材料", "amount": 1}


def _deploy(app: Flask, files: dict[str, str], note: str) -> int:
    with app.app_context(), unit_of_work():
        version = deploy_files(None, KEY, files, note).version
    assert version is not None
    return version


def _migrate(app: Flask, from_version: int, to_version: int, **kw: Any) -> list[tuple[int, bool, bool, str | None]]:
    with app.app_context(), unit_of_work():
        results = migrate_cases(None, KEY, from_version, to_version, **kw)
    return [(r.case_id, r.can_migrate, r.migrated, r.reason) for r in results]


def _at_review(ent: ApiUser, city: ApiUser, claim: bool = True) -> dict[str, Any]:
    case = ent.start(KEY).json
    assert ent.complete(case["open_tasks"][0]["id"], SUBMIT).status_code == 200
    task = city.task_for(case["id"])
    assert task is not None
    if claim:
        assert city.claim(task["id"]).status_code == 200
    return {"case": case["id"], "task": task["id"]}


def _snapshot(app: Flask, case_id: int) -> tuple[Any, ...]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.workflow_state is not None
        tasks = sorted((t.id, t.bpmn_id, t.status, t.assignee_id, t.due_at) for t in db.session.scalars(
            select(Task).where(Task.case_id == case_id)))
        return case.procedure_version_id, case.lock_version, bytes(case.workflow_state.state), tasks


def test_a_case_in_error_on_a_broken_version_moves_to_the_fixed_one_and_completes_after_a_retry(
        app: Flask, as_user: Any) -> None:
    ent, city, admin = as_user("ent-nanning"), as_user("city-nanning"), as_user("admin")
    broken = _deploy(app, review_files("material_review_broken_check.bpmn"), "登记后检查")
    ids = _at_review(ent, city)
    assert city.complete(ids["task"], {"decision": "approve"}).status_code == 200
    failed = ent.case(ids["case"])
    assert failed["status"] == "error" and "流程条件或脚本执行出错：KeyError" in failed["error_message"]
    assert admin.post(f"/api/v1/cases/{ids['case']}/retry").json["status"] == "error"  # the same broken condition
    fixed = _deploy(app, review_files("material_review_fixed_check.bpmn"), "修正检查条件")
    assert _migrate(app, broken, fixed, dry_run=True) == [(ids["case"], True, False, None)]
    assert _migrate(app, broken, fixed) == [(ids["case"], True, True, None)]
    moved = ent.case(ids["case"])
    assert moved["status"] == "error" and moved["procedure_version"] == fixed  # nothing ran yet
    event = next(e for e in moved["history"] if e["kind"] == "case_migrated")
    assert (event["payload"]["from_version"], event["payload"]["to_version"]) == (broken, fixed)
    retried = admin.post(f"/api/v1/cases/{ids['case']}/retry")
    assert retried.status_code == 200, retried.json
    assert retried.json["status"] == "completed"
    with app.app_context():
        change = db.session.scalar(select(ProcedureChange).where(ProcedureChange.kind == "case_migrated"))
        assert change is not None and change.case_id == ids["case"] and change.by == "cli"


def test_a_case_whose_step_is_missing_in_the_target_stays_untouched_until_a_mapping_names_it(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    first = _deploy(app, review_files(), "第一版")
    ids = _at_review(ent, city)
    early = ent.start(KEY).json["id"]  # still at the applicant's form: the replaced step lies ahead of it
    replaced = _deploy(app, review_files("material_review_review_replaced.bpmn"), "审核改为核查并汇总")
    before = _snapshot(app, ids["case"])
    dry = {case_id: (can, reason) for case_id, can, _moved, reason in _migrate(app, first, replaced, dry_run=True)}
    assert dry[early] == (True, None)
    assert dry[ids["case"]][0] is False and "当前步骤“审核材料”(review)在目标版本中没有同类的对应步骤" in str(
        dry[ids["case"]][1])
    real = {case_id: moved for case_id, _can, moved, _reason in _migrate(app, first, replaced)}
    assert real == {ids["case"]: False, early: True}
    assert _snapshot(app, ids["case"]) == before  # refused: not a byte of it changed
    assert ent.case(ids["case"])["procedure_version"] == first
    mapped = _migrate(app, first, replaced, mapping={"review": "city_check"})
    assert mapped == [(ids["case"], True, True, None)]
    with app.app_context():
        task = db.session.get(Task, ids["task"])  # the same row: its id, claim and deadline kept
        assert task is not None and (task.bpmn_id, task.title, task.status) == ("city_check", "核查材料", "open")
        row = next(r for r in before[3] if r[0] == ids["task"])
        assert (task.assignee_id, task.due_at) == (row[3], row[4]) and row[4] is not None
    assert city.complete(ids["task"], {"decision": "approve"}).status_code == 200
    case = ent.case(ids["case"])
    assert case["status"] == "completed"
    assert "step_finished" in [e["kind"] for e in case["history"]]  # the new script ran


def test_a_step_whose_id_changed_but_whose_neighbours_did_not_moves_without_a_mapping(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    first = _deploy(app, review_files(), "第一版")
    ids = _at_review(ent, city)
    renamed = _deploy(app, review_files("material_review_renamed_review.bpmn"), "审核步骤改 id")
    assert _migrate(app, first, renamed) == [(ids["case"], True, True, None)]
    with app.app_context():
        task = db.session.get(Task, ids["task"])
        assert task is not None and task.bpmn_id == "city_review"
    assert city.complete(ids["task"], {"decision": "approve"}).status_code == 200
    assert ent.case(ids["case"])["status"] == "completed"


def test_the_claim_and_the_deadline_of_the_open_task_are_kept(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    first = _deploy(app, review_files(), "第一版")
    ids = _at_review(ent, city)
    second = _deploy(app, review_files(edit=lambda xml: replace('name="审核材料"', 'name="复核材料"')(xml).replace(
        'name="dueIn" value="3 working days"', 'name="dueIn" value="5 working days"')), "改名，时限改为5个工作日")
    with app.app_context():
        before = db.session.get(Task, ids["task"])
        assert before is not None
        kept = (before.assignee_id, before.claimed_at, before.due_at, before.warn_at, before.created_at)
    assert _migrate(app, first, second) == [(ids["case"], True, True, None)]
    with app.app_context():
        after = db.session.get(Task, ids["task"])
        assert after is not None and after.title == "复核材料"
        assert (after.assignee_id, after.claimed_at, after.due_at, after.warn_at, after.created_at) == kept
    task = city.task_for(ids["case"], view="mine")
    assert task["title"] == "复核材料"
    assert task["due_in"] == "3 working days"  # the limit its deadline was counted from, not the new version's 5


def test_a_field_the_target_reads_that_the_case_never_filled_blocks_the_move(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    first = _deploy(app, review_files(), "第一版")
    filled = _at_review(ent, city)["case"]
    fresh = ent.start(KEY).json["id"]
    reads_priority = 'label = "第%d轮" % round_no\nurgent = priority == "high"'
    files = review_files(edit=replace('label = "第%d轮" % round_no', reads_priority))
    form = json.loads(files["forms/review_submit.json"])
    form["properties"]["priority"] = {"type": "string", "title": "紧急程度", "enum": ["high", "normal"]}
    files["forms/review_submit.json"] = json.dumps(form, ensure_ascii=False)
    second = _deploy(app, files, "增加紧急程度")
    results = {case_id: (can, reason) for case_id, can, _moved, reason in _migrate(app, first, second, dry_run=True)}
    assert results[fresh] == (True, None)
    assert results[filled][0] is False and "priority" in str(results[filled][1])


def test_only_open_cases_of_the_source_version_are_answered(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    first = _deploy(app, review_files(), "第一版")
    case = ent.start(KEY).json["id"]
    ent.post(f"/api/v1/cases/{case}/withdraw", {"reason": "不再办理"})
    second = _deploy(app, review_files(edit=replace('name="审核材料"', 'name="复核材料"')), "改名")
    assert _migrate(app, first, second, dry_run=True) == []
    answered = _migrate(app, first, second, case_ids=[case])
    assert answered[0][:3] == (case, False, False) and "版本 1" in str(answered[0][3])


def test_a_waiting_timer_keeps_its_moment(app: Flask, as_user: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from freezegun import freeze_time

    from tests.engine.bundles import with_boundary_timer

    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    timer = with_boundary_timer("timeDuration", '"P3D"')
    started = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with freeze_time(started):
        first = _deploy(app, review_files(edit=timer), "审核超时提醒")
        ids = _at_review(ent, city)
    with app.app_context():
        case = db.session.get(Case, ids["case"])
        assert case is not None and case.next_timer_at is not None
        due = case.next_timer_at
    assert abs(due - (started + timedelta(days=3))) < timedelta(minutes=1)
    with freeze_time(started + timedelta(days=1)):
        second = _deploy(app, review_files(edit=lambda text: timer(text).replace('name="审核材料"', 'name="复核材料"')),
                         "改名")
        assert _migrate(app, first, second) == [(ids["case"], True, True, None)]
    with app.app_context():
        moved = db.session.get(Case, ids["case"])
        assert moved is not None and moved.next_timer_at == due


def test_a_migrated_case_is_in_the_audit_log_with_who_from_which_version_to_which(app: Flask, as_user: Any) -> None:
    ent, city, analyst = as_user("ent-nanning"), as_user("city-nanning"), as_user("analyst")
    first = _deploy(app, review_files(), "第一版")
    ids = _at_review(ent, city)
    second = _deploy(app, review_files(edit=replace('name="审核材料"', 'name="复核材料"')), "改名")
    moved = analyst.post(f"/api/v1/procedures/{KEY}/migrations", {"from_version": first, "to_version": second,
                                                                  "case_ids": [ids["case"]]})
    assert moved.json["results"] == [{"case_id": ids["case"], "can_migrate": True, "migrated": True, "reason": None}]
    number = ent.case(ids["case"])["number"]
    with app.app_context():
        who = db.session.scalar(select(User.id).where(User.username == "analyst"))
        case_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.case_migrated")).one()
        assert (case_entry.object_type, case_entry.object_id) == ("case", number)
        assert (case_entry.actor_id, case_entry.actor_name) == (who, "analyst")
        assert case_entry.details["payload"]["from_version"] == first
        assert case_entry.details["payload"]["to_version"] == second
        change = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "procedure.case_migrated")).one()
        assert (change.object_type, change.object_id, change.actor_id, change.actor_name) == (
            "procedure", KEY, who, "analyst")
        assert (change.details["previous_version"], change.details["version"]) == (first, second)
        assert (change.details["case_id"], change.details["note"]) == (ids["case"], number)
        assert change.seq is not None and case_entry.seq is not None  # sealed into the chain with the move


def test_a_moved_case_keeps_its_clock(app: Flask, as_user: Any) -> None:
    """The case's deadline, warning, statutory deadline and its clock (start, limits, time paused) are those it
    had: a move a day later recomputes nothing from the new version or from the day of the move."""
    from datetime import UTC, datetime, timedelta

    from freezegun import freeze_time

    statutory = replace('<spiffworkflow:property name="startRoles" value="enterprise"/>',
                        '<spiffworkflow:property name="startRoles" value="enterprise"/>'
                        '<spiffworkflow:property name="statutoryLimit" value="3 working days"/>')
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    started = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # a Tuesday

    def clock(case_id: int) -> tuple[Any, ...]:
        with app.app_context():
            case = db.session.get(Case, case_id)
            row = db.session.get(CaseClock, case_id)
            assert case is not None and row is not None
            return (case.received_at, case.due_at, case.warn_at, case.statutory_due_at, case.deadline_state,
                    row.started_at, row.statutory_limit, row.committed_limit, row.paused_at, row.excluded_spans,
                    row.excluded_workdays, row.excluded_days, row.excluded_seconds, row.statutory_overdue)

    with freeze_time(started):
        first = _deploy(app, review_files(edit=statutory), "法定时限")
        ids = _at_review(ent, city)
    before = clock(ids["case"])
    assert before[3] is not None and before[6] == "3 working days"  # the statutory clock runs
    with freeze_time(started + timedelta(days=1)):
        second = _deploy(app, review_files(edit=lambda text: statutory(text).replace('name="审核材料"',
                                                                                    'name="复核材料"')), "改名")
        assert _migrate(app, first, second) == [(ids["case"], True, True, None)]
    assert clock(ids["case"]) == before
    with app.app_context():
        case = db.session.get(Case, ids["case"])
        assert case is not None and case.procedure_version.version == second
