"""personnel_unlock's message to the approval system: its exact content after a release and a relock (the
project's personnel with their lock states, only persons of enterprises with a credit code), its idempotency
key and aggregate; and a release that fails half-way leaves neither a lock changed nor a message queued."""
from __future__ import annotations

from typing import Any

from freezegun import freeze_time
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.jobs.timers import fire_due_timers
from app.models import Case, LockRole, Organisation, OutboxMessage, Person, Project, ProjectLock
from tests.procedures.steps import act, act_ok, upload

KIND = "approval_system.project_personnel"


def _locks(app: Any) -> dict[str, int]:
    """ent-nanning's active locks by person name (陆伟: project manager, 覃丽: safety officer)."""
    with app.app_context():
        rows = db.session.execute(select(Person.name, ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                  .where(ProjectLock.active.is_(True)))
        return {name: lock_id for name, lock_id in rows}


def _facts(app: Any, lock_id: int) -> dict[str, Any]:
    """What the message says of the lock's project, person and enterprise, read here independently."""
    with app.app_context():
        lock = db.session.get(ProjectLock, lock_id)
        assert lock is not None
        org = db.session.get(Organisation, lock.enterprise_id)
        assert org is not None
        return {"project_code": lock.project.code, "project_name": lock.project.name,
                "region_code": lock.project.region_code, "id_number": lock.person.id_number,
                "name": lock.person.name, "credit_code": org.credit_code, "project_id": lock.project_id,
                "enterprise_id": lock.enterprise_id}


def _messages(app: Any) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == KIND)
                                        .order_by(OutboxMessage.id)))
        for message in found:
            db.session.expunge(message)
        return found


def _a_person_without_credit_code(app: Any, project_id: int) -> None:
    """A chief supervisor of the project whose enterprise has no credit code: the approval system cannot be told
    of them (the message leaves them out)."""
    with app.app_context(), unit_of_work():
        org = Organisation(kind="enterprise", name="无信用代码监理单位", region_code="450100")
        db.session.add(org)
        db.session.flush()
        person = Person(id_number="450107198009090112", name="韩松", employer_id=org.id)
        db.session.add(person)
        db.session.flush()
        db.session.add(ProjectLock(project_id=project_id, person_id=person.id, enterprise_id=org.id,
                                   role=LockRole.CHIEF_SUPERVISOR))


def _apply(ent: Any, kind: str, lock_ids: list[int], **extra: Any) -> int:
    started = ent.start("personnel_unlock")
    assert started.status_code == 201, started.json
    case_id = int(started.json["id"])
    act_ok(ent, case_id, {"kind": kind, "lock_ids": lock_ids, "reason": "项目人员申请解锁",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          **{name: [upload(ent, case_id, "材料.pdf")] for name in extra.pop("files", [])}, **extra})
    return case_id


def test_release_and_relock_tell_the_approval_system_the_projects_personnel(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _locks(app)
    lu, qin = _facts(app, locks["陆伟"]), _facts(app, locks["覃丽"])
    assert lu["project_id"] == qin["project_id"]
    _a_person_without_credit_code(app, lu["project_id"])
    with freeze_time("2026-12-04 02:00:00"):
        case_id = _apply(ent, "temporary", [locks["覃丽"]], files=["temporary_files"],
                         temporary_end_date="2026-12-10")
        act_ok(city, case_id, {"decision": "approve"})
    with freeze_time("2026-12-10 16:00:01"), app.app_context():  # the end date has passed: the lock returns
        assert fire_due_timers() == 1
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        number, applicant = case.number, case.applicant_org_id
    released, restored = _messages(app)

    def person(facts: dict[str, Any], role: str, state: str, relock_at: str | None) -> dict[str, Any]:
        return {"role": role, "id_number": facts["id_number"], "name": facts["name"],
                "enterprise_credit_code": facts["credit_code"], "lock_state": state, "relock_at": relock_at}
    project = {"project_code": lu["project_code"], "project_name": lu["project_name"],
               "region_code": lu["region_code"]}
    changed_at = released.payload.pop("changed_at")
    assert changed_at.startswith("2026-12-04T02:00:00")
    # the end of the end date in Nanning, as the handler set it (the lock's time, not a UTC reading of it)
    assert released.payload == {**project, "case_number": number, "personnel": [
        person(lu, "project_manager", "locked", None),
        person(qin, "safety_officer", "temporarily_released", "2026-12-10T23:59:59+08:00")]}
    assert released.idempotency_key == f"approval-system:personnel:{number}:released"
    assert released.aggregate_key == f"enterprise:{applicant}" and released.case_id == case_id
    assert released.target == "approval_system" and released.schema_version == 1
    assert restored.payload.pop("changed_at").startswith("2026-12-10T16:00:01")
    assert restored.payload == {**project, "case_number": number, "personnel": [
        person(lu, "project_manager", "locked", None), person(qin, "safety_officer", "locked", None)]}
    assert restored.idempotency_key == f"approval-system:personnel:{number}:restored"
    assert restored.aggregate_key == f"enterprise:{applicant}"


def test_a_permanent_release_of_two_locks_tells_both_released(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _locks(app)
    lu, qin = _facts(app, locks["陆伟"]), _facts(app, locks["覃丽"])
    case_id = _apply(ent, "duty_change", [locks["覃丽"], locks["陆伟"]])
    act_ok(city, case_id, {"decision": "approve"})
    [told] = _messages(app)
    assert [(p["name"], p["id_number"], p["lock_state"], p["relock_at"]) for p in told.payload["personnel"]] == [
        ("陆伟", lu["id_number"], "released", None), ("覃丽", qin["id_number"], "released", None)]
    assert told.payload["project_code"] == lu["project_code"]


def test_a_release_that_fails_half_way_changes_no_lock_and_queues_nothing(as_user: Any, app: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    locks = _locks(app)
    case_id = _apply(ent, "duty_change", [locks["陆伟"], locks["覃丽"]])
    with app.app_context(), unit_of_work():  # 覃丽's lock moves to another enterprise while the case is open
        other = db.session.scalar(select(Organisation.id).where(Organisation.credit_code.is_not(None),
                                                                Organisation.region_code == "450200"))
        lock = db.session.get(ProjectLock, locks["覃丽"])
        assert lock is not None and other is not None
        lock.enterprise_id = other
    response = act(city, case_id, {"decision": "approve"})
    assert response.status_code == 200, response.json
    case = ent.case(case_id)
    assert case["status"] == "error" and f"锁定记录 {locks['覃丽']} 不属于申请企业" in case["error_message"]
    assert "unlock_state" not in case["data"]
    with app.app_context():
        for lock_id in (locks["陆伟"], locks["覃丽"]):  # 陆伟's lock, changed before the failure, is not released
            found = db.session.get(ProjectLock, lock_id)
            assert found is not None and found.active is True and found.released_by_case_id is None
            assert found.released_at is None
        assert db.session.scalar(select(Project.id).where(Project.id == found.project_id)) is not None
    assert _messages(app) == []
