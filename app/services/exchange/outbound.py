"""Messages the procedures send to other systems, built from our records (the handlers call these inside
their step, the inbound appliers inside theirs): the approval system hears of a project's locked personnel
whenever a lock is released or restored; the trading platform hears of a performance record whenever an approved
edit changes it, and of a person whenever his employment with an enterprise ends or begins (a deregistration, a
re-entry on 入库信息填报, a deregistration or employer change another system sends us)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy import case as when
from sqlalchemy.orm import lazyload

from app.db import utcnow
from app.extensions import db
from app.integrations.outbox import enqueue
from app.models import Case, Certificate, Organisation, PerformanceRecord, Person, Project, ProjectLock

PROJECT_PERSONNEL_KIND = "approval_system.project_personnel"
PERFORMANCE_RECORD_KIND = "trading_platform.performance_record"
PERSONNEL_KIND = "trading_platform.personnel"


def _lock_state(lock: ProjectLock) -> str:
    if lock.active:
        return "locked"
    return "temporarily_released" if lock.relock_at is not None else "released"


@dataclass(frozen=True)
class ProjectPersonnel:
    """The locks of a project with what the approval system hears of their persons, read in one statement
    before a handler changes them: the locks are the session's objects, so a message built after the change
    tells the states the handler set (without a flush and a second read)."""

    project_id: int
    project: tuple[str, str, str]  # code, name, region_code
    # each lock with its person's ID number, name and enterprise's credit code (None: not told, no credit code)
    personnel: list[tuple[ProjectLock, str | None, str, str | None]]


# The locks of the projects of some locks (the person's ID number decrypted only where the enterprise has a
# credit code: only those persons are told of). The person and project are selected as columns, not loaded.
_TOLD = and_(Organisation.credit_code.is_not(None), Organisation.credit_code != "")
_PROJECT_PERSONNEL = (
    select(ProjectLock, when((_TOLD, Person.id_number)), Person.name, Organisation.credit_code,
           Project.code, Project.name, Project.region_code)
    .join(Person, Person.id == ProjectLock.person_id).join(Organisation, Organisation.id == ProjectLock.enterprise_id)
    .join(Project, Project.id == ProjectLock.project_id)
    .where(ProjectLock.project_id.in_(select(ProjectLock.project_id)
                                      .where(ProjectLock.id.in_(bindparam("ids", expanding=True)))))
    .order_by(ProjectLock.id).options(lazyload(ProjectLock.person), lazyload(ProjectLock.project)))


def project_personnel(lock_ids: list[int]) -> dict[int, ProjectPersonnel]:
    """The personnel of the projects of these locks, by project (one statement)."""
    found: dict[int, ProjectPersonnel] = {}
    if not lock_ids:
        return found
    for lock, id_number, name, credit_code, code, project_name, region_code in db.session.execute(
            _PROJECT_PERSONNEL, {"ids": lock_ids}):
        read = found.get(lock.project_id)
        if read is None:
            read = found[lock.project_id] = ProjectPersonnel(lock.project_id, (code, project_name, region_code), [])
        read.personnel.append((lock, id_number, name, credit_code))
    return found


def queue_project_personnel(read: ProjectPersonnel, case: Case, event: str) -> bool:
    """The project's PM, safety officer and chief supervisor with their lock states, after `event`
    (released, restored) of `case` changed the locks `read` holds; ordered per enterprise (the applicant's)."""
    code, name, region_code = read.project
    personnel = [{"role": lock.role, "id_number": id_number, "name": person_name,
                  "enterprise_credit_code": credit_code, "lock_state": _lock_state(lock),
                  "relock_at": lock.relock_at.isoformat() if lock.relock_at else None}
                 for lock, id_number, person_name, credit_code in read.personnel if credit_code]
    return enqueue(PROJECT_PERSONNEL_KIND, {
        "project_code": code, "project_name": name, "region_code": region_code,
        "personnel": personnel, "case_number": case.number, "changed_at": utcnow().isoformat()},
        f"approval-system:personnel:{case.number}:{event}", case.id, aggregate=f"enterprise:{case.applicant_org_id}")


def queue_performance_record(record_id: int, case: Case) -> bool:
    """A performance record as it stands after the case changed it."""
    record = db.session.get(PerformanceRecord, record_id)
    owner = db.session.get(Organisation, record.enterprise_id) if record else None
    if record is None or owner is None or not owner.credit_code:
        return False
    return enqueue(PERFORMANCE_RECORD_KIND, {
        "record_id": record.id, "credit_code": owner.credit_code, "project_name": record.project_name,
        "source": record.source, "used_in_bid": bool(record.used_in_bid), "award_lock": record.award_lock,
        "fields": dict(record.fields or {}), "updated_at": utcnow().isoformat()},
        f"trading-platform:performance:{case.number}", case.id, aggregate=f"enterprise:{owner.id}")


def queue_personnel(person: Person, employer: Organisation, case: Case | None, *, key: str | None = None,
                    status: str | None = None) -> bool:
    """A person of an enterprise (his status and certificates) as he stands after the case (or a message from
    another system) changed him, e.g. deregistered from `employer`, or entered by it; ordered with the
    enterprise's other reports. `key`: the idempotency key where the case's own
    (trading-platform:personnel:<case number>) does not fit, as for a case that enters several persons or a
    change without a case; `status`: his status with `employer` where it is not his record's (deregistered from
    the employer he left for another). Not told: an enterprise without a credit code (the platform knows
    enterprises by it)."""
    if not employer.credit_code:
        return False
    if key is None:
        assert case is not None, "a report without a case names its own key"
        key = f"trading-platform:personnel:{case.number}"
    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)
                                      .order_by(Certificate.id))
    return enqueue(PERSONNEL_KIND, {
        "credit_code": employer.credit_code, "id_number": person.id_number.upper(), "name": person.name,
        "status": str(status or person.status),
        "certificates": [{"kind": str(c.kind), "number": c.number, "specialty": c.specialty,
                          "valid_until": c.valid_until.isoformat() if c.valid_until else None} for c in certificates],
        "updated_at": utcnow().isoformat()},
        key, case.id if case is not None else None, aggregate=f"enterprise:{employer.id}")
