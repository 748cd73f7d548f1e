"""project_registration (在建项目) through the REST API: every path of bpmn/project_registration.bpmn, and the lock it
sets released by personnel_unlock (one test across both procedures).

The construction unit (owner-nanning) picks a project by its construction-permit number from the quality-and-safety
supervision system (its stand-in on 127.0.0.1), completes it, and the city reviews: approve (the project is
recorded with its participants, its key personnel locked, the project queued for the national platform), return
for changes, reject. Guards: only a construction unit, only its own project, a permit the system knows, a project
not registered yet, one open case per permit, the PM required and of the contractor, persons not locked
elsewhere, at least one stage, the supervision system down (503).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.quality_safety_standin import DEMO_PROJECTS, QualitySafetyStandIn
from app.models import OutboxMessage, Person, Project, ProjectLock, ProjectParticipant
from tests.procedures.steps import act, act_ok, field_errors, upload

PERMIT = "450103202512100301"
SCHOOL = DEMO_PROJECTS[PERMIT]["name"]


@pytest.fixture
def standin() -> Iterator[QualitySafetyStandIn]:
    """The process's stand-in, restored after the test (projects added, mode changed)."""
    shared = QualitySafetyStandIn.shared()
    projects = dict(shared.projects)
    yield shared
    shared.projects, shared.mode = projects, "pass"


def _person(app: Any, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Person.id).where(Person.name == name)))


def _start(owner: Any, permit: str = PERMIT) -> int:
    started = owner.start("project_registration", {"permit_number": permit})
    assert started.status_code == 201, started.json
    return int(started.json["id"])


def _completion(app: Any, pm: str = "梁海", **extra: Any) -> dict[str, Any]:
    return {"key_personnel": [{"person_id": _person(app, pm), "role": "project_manager"},
                              {"person_id": _person(app, "韦明"), "role": "chief_supervisor"}],
            "stages": [{"stage": "监督注册", "date": "2025-12-01"}, {"stage": "施工许可", "date": "2025-12-10"}],
            "scale": "建筑面积 24000 平方米", "investment": "9800.00", **extra}


def _active_lock(app: Any, name: str) -> ProjectLock | None:
    with app.app_context():
        lock = db.session.scalar(select(ProjectLock).join(Person, Person.id == ProjectLock.person_id).where(
            Person.name == name, ProjectLock.active.is_(True)))
        if lock is not None:
            db.session.expunge(lock)
        return lock


def test_approved_project_locks_its_pm_whom_the_unlock_procedure_then_releases(as_user: Any, app: Any) -> None:
    owner, city, ent = as_user("owner-nanning"), as_user("city-nanning"), as_user("ent-nanning")
    case_id = _start(owner)
    case = owner.case(case_id)
    assert case["number"].startswith("ZJ-") and case["title"] == f"在建项目：{SCHOOL}"
    assert case["region_code"] == "450103" and case["data"]["supervised"]["supervision_number"] == "JD450103-2025-118"
    assert [p["role"] for p in case["data"]["participants"]] == ["construction", "supervision"]
    assert {p["role"] for p in case["data"]["key_personnel"]} == {"project_manager", "chief_supervisor"}
    act_ok(owner, case_id, _completion(app))
    review = city.task_for(case_id)
    assert review["title"] == "审核在建项目" and review["due_in"] == "5 working days"
    act_ok(city, case_id, {"decision": "approve"})
    assert owner.case(case_id)["status"] == "completed"
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.permit_number == PERMIT))
        assert project.name == SCHOOL and project.region_code == "450103" and project.stage == "in_progress"
        roles = dict(db.session.execute(select(ProjectParticipant.role, ProjectParticipant.enterprise_id).where(
            ProjectParticipant.project_id == project.id)).all())
        assert set(roles) == {"construction", "supervision"}
        message = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.kind == "national_platform.project_approved", OutboxMessage.case_id == case_id))
        assert message.payload["project_code"] == project.code and len(message.payload["stages"]) == 2
        assert message.payload["stages"][0] == {"name": "监督注册", "started_on": "2025-12-01"}
        project_id = project.id
    # every participating enterprise sees it in its in-progress list
    assert project_id in [p["id"] for p in ent.get("/api/v1/records/projects").json["items"]]
    assert ent.get(f"/api/v1/records/projects/{project_id}").status_code == 200
    assert as_user("ent-liuzhou").get(f"/api/v1/records/projects/{project_id}").status_code == 404
    pm_lock = _active_lock(app, "梁海")
    assert pm_lock is not None and pm_lock.project_id == project_id and pm_lock.role == "project_manager"
    assert _active_lock(app, "韦明").role == "chief_supervisor"
    # the lock is one the unlock procedure releases: the contractor applies, the city approves
    unlock = ent.start("personnel_unlock")
    unlock_id = int(unlock.json["id"])
    act_ok(ent, unlock_id, {"kind": "completion", "lock_ids": [pm_lock.id], "reason": "项目已竣工验收，申请解除锁定",
                            "application_files": [upload(ent, unlock_id, "解锁申请表.pdf")],
                            "completion_files": [upload(ent, unlock_id, "竣工验收合格意见书.pdf")]})
    assert ent.case(unlock_id)["title"] == f"项目人员解锁：梁海（{SCHOOL}）"
    act_ok(city, unlock_id, {"decision": "approve"})
    assert _active_lock(app, "梁海") is None
    with app.app_context():
        released = db.session.get(ProjectLock, pm_lock.id)
        assert released.active is False and released.released_by_case_id == unlock_id
    again = owner.start("project_registration", {"permit_number": PERMIT})
    assert again.status_code == 422 and again.json["code"] == "project_exists"


def test_returned_then_rejected_registration_records_nothing(as_user: Any, app: Any) -> None:
    owner, city = as_user("owner-nanning"), as_user("city-nanning")
    case_id = _start(owner)
    duplicate = owner.start("project_registration", {"permit_number": PERMIT})
    assert duplicate.status_code == 422 and duplicate.json["code"] == "duplicate_open_case"
    act_ok(owner, case_id, _completion(app))
    assert "comment" in field_errors(act(city, case_id, {"decision": "return"}))
    act_ok(city, case_id, {"decision": "return", "comment": "总投资与施工许可证不一致"})
    assert owner.case(case_id)["status"] == "waiting_for_applicant"
    act_ok(owner, case_id, _completion(app, investment="9650.00"))
    act_ok(city, case_id, {"decision": "reject", "comment": "项目尚未完成监督注册"})
    assert owner.case(case_id)["status"] == "completed"
    with app.app_context():
        assert db.session.scalar(select(Project.id).where(Project.permit_number == PERMIT)) is None
    assert _active_lock(app, "梁海") is None
    assert _start(owner) > case_id  # may apply anew


def test_completion_guards(as_user: Any, app: Any) -> None:
    owner = as_user("owner-nanning")
    case_id = _start(owner)
    locked = act(owner, case_id, _completion(app, pm="陆伟"))  # PM of the level-B 市民服务中心工程 already
    assert locked.status_code == 422 and locked.json["code"] == "person_locked"
    assert locked.json["details"]["procedure"] == "personnel_unlock"
    no_pm = {**_completion(app), "key_personnel": [{"person_id": _person(app, "韦明"), "role": "chief_supervisor"}]}
    assert field_errors(act(owner, case_id, no_pm)) == {"key_personnel": "须确定项目经理"}
    wrong = {**_completion(app), "key_personnel": [{"person_id": _person(app, "梁海"), "role": "project_manager"},
                                                    {"person_id": _person(app, "韦明"), "role": "safety_officer"}]}
    assert field_errors(act(owner, case_id, wrong)) == {"key_personnel.1.person_id": "安全员应为本项目施工单位的人员"}
    assert "stages" in field_errors(act(owner, case_id, {**_completion(app), "stages": []}))


def test_approval_is_refused_when_a_person_was_locked_meanwhile(as_user: Any, app: Any) -> None:
    owner, city = as_user("owner-nanning"), as_user("city-nanning")
    case_id = _start(owner)
    act_ok(owner, case_id, _completion(app))
    with app.app_context(), unit_of_work():
        other = db.session.scalar(select(Project.id).where(Project.code == "4501002025C002"))
        db.session.add(ProjectLock(project_id=other, person_id=_person(app, "梁海"),
                                   enterprise_id=db.session.get(Person, _person(app, "梁海")).employer_id,
                                   role="safety_officer"))
    refused = act(city, case_id, {"decision": "approve"})
    assert refused.status_code == 422 and refused.json["code"] == "person_locked"
    assert "须先办理项目人员解锁" in refused.json["message"]
    assert owner.case(case_id)["status"] == "running"  # nothing recorded, the review stays open


def test_start_guards(as_user: Any, app: Any, standin: QualitySafetyStandIn) -> None:
    owner = as_user("owner-nanning")
    unknown = owner.start("project_registration", {"permit_number": "450103209912319999"})
    assert unknown.status_code == 422 and unknown.json["code"] == "permit_not_found"
    standin.projects["450200202601050101"] = {**DEMO_PROJECTS[PERMIT], "permit_number": "450200202601050101",
                                              "construction_unit": {"name": "柳州某建设单位",
                                                                    "credit_code": "91450200MA5AAA0000"}}
    foreign = owner.start("project_registration", {"permit_number": "450200202601050101"})
    assert foreign.json["code"] == "not_project_owner" and "permit_number" in foreign.json["details"]["fields"]
    contractor = as_user("ent-nanning").start("project_registration", {"permit_number": PERMIT})
    assert contractor.status_code == 403 and contractor.json["code"] == "start_organisation_not_allowed"
    city = as_user("city-nanning").start("project_registration", {"permit_number": PERMIT})
    assert city.status_code == 403 and city.json["code"] == "start_not_allowed"
    standin.mode = "fail"
    down = owner.start("project_registration", {"permit_number": PERMIT})
    assert down.status_code == 503 and down.json["code"] == "quality_safety_unavailable"
    standin.mode = "pass"
    assert owner.start("project_registration", {"permit_number": PERMIT}).status_code == 201
    listed = {p["key"]: p for p in owner.get("/api/v1/procedures").json}
    assert listed["project_registration"]["start_form"]["required"] == ["permit_number"]


def test_the_dashboard_counts_registrations_under_review(as_user: Any, app: Any) -> None:
    owner = as_user("owner-nanning")
    case_id = _start(owner)
    act_ok(owner, case_id, _completion(app))
    tasks = as_user("supervisor").get("/api/v1/dashboard/open_tasks").json["rows"]
    [row] = [r for r in tasks if r["procedure"] == "project_registration"]
    assert row["total"] == 1 and row["procedure_name"] == "在建项目录入审核"


def test_the_approval_system_hears_of_the_key_personnel_the_approval_locks(as_user: Any, app: Any) -> None:
    """The approval system refuses a locked person's change of employer (notice 二(二)): it heard of every release
    and relock, but not of the locks an approved project sets, so 梁海 could still change employer there."""
    owner, city = as_user("owner-nanning"), as_user("city-nanning")
    case_id = _start(owner)
    act_ok(owner, case_id, _completion(app))
    act_ok(city, case_id, {"decision": "approve"})
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "approval_system.project_personnel", OutboxMessage.case_id == case_id)).all()
        project = db.session.scalar(select(Project).where(Project.permit_number == PERMIT))
        assert message.payload["project_code"] == project.code
        told = {(p["name"], p["role"], p["lock_state"]) for p in message.payload["personnel"]}
    assert told == {("梁海", "project_manager", "locked"), ("韦明", "chief_supervisor", "locked")}
