"""Messages the procedures send to other systems, built from our records (the handlers call these inside
their step): the approval system hears of a project's locked personnel whenever a lock is released or
restored; the trading platform hears of a performance record whenever an approved edit changes it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.db import utcnow
from app.extensions import db
from app.integrations.outbox import enqueue
from app.models import Case, Organisation, PerformanceRecord, Person, Project, ProjectLock

PROJECT_PERSONNEL_KIND = "approval_system.project_personnel"
PERFORMANCE_RECORD_KIND = "trading_platform.performance_record"


def _lock_state(lock: ProjectLock) -> str:
    if lock.active:
        return "locked"
    return "temporarily_released" if lock.relock_at is not None else "released"


def queue_project_personnel(project_id: int, case: Case, event: str) -> bool:
    """The project's PM, safety officer and chief supervisor with their lock states, after `event`
    (released, restored) of `case`; ordered per enterprise (the applicant's)."""
    project = db.session.get(Project, project_id)
    if project is None:
        return False
    rows = db.session.execute(
        select(ProjectLock, Person, Organisation).join(Person, Person.id == ProjectLock.person_id)
        .join(Organisation, Organisation.id == ProjectLock.enterprise_id)
        .where(ProjectLock.project_id == project_id).order_by(ProjectLock.id)
        # the person and organisation are selected: their default eager loads would join them again
        .options(lazyload(ProjectLock.person), lazyload(ProjectLock.project), lazyload(Person.employer))).all()
    personnel = [{"role": lock.role, "id_number": person.id_number, "name": person.name,
                  "enterprise_credit_code": org.credit_code, "lock_state": _lock_state(lock),
                  "relock_at": lock.relock_at.isoformat() if lock.relock_at else None}
                 for lock, person, org in rows if org.credit_code]
    return enqueue(PROJECT_PERSONNEL_KIND, {
        "project_code": project.code, "project_name": project.name, "region_code": project.region_code,
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
