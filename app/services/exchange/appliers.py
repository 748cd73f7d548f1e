"""What each inbound message kind does to the records (services/exchange/inbound.py calls `apply` in a
savepoint; a RuleViolation rejects the message and undoes it). One function per kind; each is idempotent
on its own data as well (applying the same content again changes nothing). A person's employment changed here
is reported to the trading platform, as the procedures report theirs (unless the trading platform sent it)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from app.errors import Message, RuleViolation
from app.extensions import db
from app.models import (
    Certificate,
    InboundMessage,
    Organisation,
    OrganisationKind,
    PerformanceRecord,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
    RecordSource,
    Region,
)
from app.models.records.lock import LOCK_ROLE_TITLES, LockRole
from app.services import audit
from app.services.exchange import results as said
from app.services.exchange.completion import start_or_advance
from app.services.exchange.outbound import queue_personnel
from app.services.notifications import Note, notify, users_of_organisation, users_with_role


@dataclass(frozen=True)
class Outcome:
    code: str
    message: str
    case_id: int | None = None


Applier = Callable[[dict[str, Any], InboundMessage], Outcome]
TRADING_PLATFORM = "trading_platform"
APPLIERS: dict[str, Applier] = {}
ENTITY_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "enterprise": lambda p: f"enterprise:{p['credit_code']}",
    "certificate": lambda p: f"certificate:{p['number']}",
    "person": lambda p: f"person:{p['id_number']}",
    "certificate_change": lambda p: f"person:{p['id_number']}",
    "project": lambda p: f"project:{p['project_code']}",
    "credit_record": lambda p: f"credit:{p['credit_code']}:{p['kind']}:{p['title']}"[:160],
    "out_of_region_performance": lambda p: f"performance:{p['credit_code']}:{p['record_key']}",
    "construction_permit": lambda p: f"permit:{p['permit_number']}",
    "supervision_registration": lambda p: f"supervision:{p['project_code']}",
    "completion_acceptance": lambda p: f"acceptance:{p['project_code']}",
    "bid_usage": lambda p: f"performance-record:{p['performance_record_id']}",
    "award_lock": lambda p: f"performance-record:{p['performance_record_id']}",
    "award_release": lambda p: f"performance-record:{p['performance_record_id']}",
}


def entity_key(kind: str, payload: dict[str, Any]) -> str | None:
    make = ENTITY_KEYS.get(kind)
    return make(payload)[:160] if make else None


def applier(kind: str) -> Callable[[Applier], Applier]:
    def register(run: Applier) -> Applier:
        APPLIERS[kind] = run
        return run
    return register


def apply(system: str, kind: str, payload: dict[str, Any], row: InboundMessage) -> Outcome:
    run = APPLIERS.get(kind)
    if run is None:
        return Outcome("recorded", "已接收并存档（本系统无对应数据，仅留存）")
    return run(payload, row)


def _enterprise(credit_code: str | None) -> Organisation | None:
    if not credit_code:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.credit_code == credit_code,
                                                        Organisation.kind == OrganisationKind.ENTERPRISE))


def _require_enterprise(credit_code: str) -> Organisation:
    enterprise = _enterprise(credit_code)
    if enterprise is None:
        raise RuleViolation(Message(said.ENTERPRISE_NOT_FOUND, credit_code=credit_code), code="enterprise_not_found")
    return enterprise


def _person(id_number: str) -> Person:
    person = db.session.scalar(select(Person).where(Person.id_number_is(id_number)))
    if person is None:
        raise RuleViolation("未找到该人员（身份证号不在本系统）", code="person_not_found")
    return person


def _blocking_lock(person_id: int) -> ProjectLock | None:
    """Active, or temporarily released and due to return (as handlers/rules.py: blocking_lock)."""
    return db.session.scalar(select(ProjectLock).where(
        ProjectLock.person_id == person_id,
        or_(ProjectLock.active.is_(True), ProjectLock.relock_at.is_not(None))).order_by(ProjectLock.id).limit(1))


class ReportedRefusal(RuleViolation):
    """A refusal that is also reported (in-app) to an enterprise's operators and the admins, after the
    savepoint of the refused message was undone (inbound.py calls `report`)."""

    def __init__(self, message: str, *, code: str, report_to: int | None, details: dict[str, Any]) -> None:
        super().__init__(message, code=code, details=details)
        self.report_to = report_to


def report(refusal: RuleViolation, row: InboundMessage) -> None:
    if not isinstance(refusal, ReportedRefusal):
        return
    users = users_of_organisation(refusal.report_to) if refusal.report_to else []
    notify([*users, *users_with_role("admin")], Note("exchange_refused", Message("数据交换：人员变更未予办理"),
                                                    refusal.message, key=f"inbound-{row.id}"))


def _refuse_locked(person: Person, what: str) -> None:
    """The notice's rule: a person locked to an in-progress project changes nothing until unlocked; the
    refusal is reported to the employer's operators and the admins."""
    lock = _blocking_lock(person.id)
    if lock is None:
        return
    role = Message(LOCK_ROLE_TITLES.get(LockRole(lock.role), lock.role))
    message = Message(said.PERSON_LOCKED, person=person.name, project=lock.project.name, code=lock.project.code,
                      role=role, what=Message(what))
    raise ReportedRefusal(message, code="person_locked", report_to=person.employer_id,
                          details={"project_code": lock.project.code, "lock_role": lock.role})


def _employment(person: Person) -> dict[str, Any]:
    return {"employer_id": person.employer_id, "employer": person.employer.name if person.employer else None,
            "status": str(person.status)}


def _audit_person(row: InboundMessage, action: str, person: Person, before: dict[str, Any]) -> None:
    """A person's record changed by a message from another system: in the audit log with before / after and
    the message it came by (the system acted: no user)."""
    db.session.flush()
    db.session.expire(person, ["employer"])
    audit.record(None, action, "person", person.id, system=row.system, message_id=row.message_id,
                 **audit.changed(before, _employment(person)))


def _tell_trading_platform(row: InboundMessage, person: Person, employer: Organisation | None,
                           status: str | None = None) -> None:
    """The trading platform hears of a person's employment changed by a message as it hears of one a case changed
    (outbound.queue_personnel), once per message and enterprise; never of a change it sent us itself (no echo)."""
    if employer is None or row.system == TRADING_PLATFORM:
        return
    queue_personnel(person, employer, None, key=f"trading-platform:personnel:inbound-{row.id}:{employer.id}",
                    status=status)


def _report_employment(row: InboundMessage, person: Person, left: int | None) -> None:
    """A person now in service with his employer, who was in service with `left` before: the employer he left
    hears he is no longer its person (deregistered from it), the new one that he is."""
    if left is not None and left != person.employer_id:
        _tell_trading_platform(row, person, db.session.get(Organisation, left), PersonStatus.DEREGISTERED)
    _tell_trading_platform(row, person, person.employer)


def _in_service_with(person: Person) -> int | None:
    return person.employer_id if person.status == PersonStatus.IN_SERVICE else None


@applier("certificate_change")
def certificate_change(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    """Employer change or deregistration of a certificate holder (审批系统 / 培训考试系统), applied at once
    unless the person is locked to an in-progress project."""
    person = _person(payload["id_number"])
    if payload["change"] == "deregistration":
        if person.status == PersonStatus.DEREGISTERED:
            return Outcome("unchanged", Message(said.PERSON_ALREADY_DEREGISTERED, person=person.name))
        _refuse_locked(person, "注销")
        before = _employment(person)
        person.status = PersonStatus.DEREGISTERED
        _audit_person(row, "record.person_deregistered", person, before)
        _tell_trading_platform(row, person, person.employer)
        return Outcome("deregistered", Message(said.PERSON_DEREGISTERED, person=person.name,
                                               certificate=payload["certificate_number"]))
    code = payload.get("new_employer_credit_code")
    if not code:
        raise RuleViolation("单位变更须提供新单位的统一社会信用代码", code="new_employer_missing")
    employer = _require_enterprise(code)
    if person.employer_id == employer.id and person.status == PersonStatus.IN_SERVICE:
        return Outcome("unchanged", Message(said.PERSON_ALREADY_EMPLOYED, person=person.name, employer=employer.name))
    _refuse_locked(person, "单位变更")
    before, left = _employment(person), _in_service_with(person)
    person.employer_id, person.status = employer.id, PersonStatus.IN_SERVICE
    _audit_person(row, "record.employer_changed", person, before)
    _report_employment(row, person, left)
    return Outcome("employer_changed", Message(said.EMPLOYER_CHANGED, person=person.name, employer=employer.name))


@applier("person")
def person_record(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    """A registered person from the national platform: created, or name / employer updated (an employer
    change of a locked person is refused as above)."""
    employer = _require_enterprise(payload["employer_credit_code"]) if payload.get("employer_credit_code") else None
    person = db.session.scalar(select(Person).where(Person.id_number_is(payload["id_number"])))
    if person is None:
        db.session.add(Person(id_number=payload["id_number"].upper(), name=payload["name"],
                              employer_id=employer.id if employer else None))
        return Outcome("created", Message(said.PERSON_CREATED, person=payload["name"]))
    if employer is not None and person.employer_id != employer.id:
        _refuse_locked(person, "单位变更")
        before, left = _employment(person), _in_service_with(person)
        person.employer_id = employer.id
        _audit_person(row, "record.employer_changed", person, before)
        if left is not None:  # a deregistered person's last employer is his history: nobody's person to report
            _report_employment(row, person, left)
    person.name = payload["name"]
    return Outcome("updated", Message(said.PERSON_UPDATED, person=person.name))


@applier("certificate")
def certificate(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    person = _person(payload["id_number"])
    cert = db.session.scalar(select(Certificate).where(Certificate.number == payload["number"]))
    if cert is None:
        cert = Certificate(person_id=person.id, number=payload["number"], kind=payload["kind"])
        db.session.add(cert)
    elif cert.person_id != person.id:
        raise RuleViolation("该证书编号已属于另一人员", code="certificate_other_person")
    cert.kind, cert.specialty = payload["kind"], payload.get("specialty")
    cert.valid_until = _date(payload.get("valid_until"))
    return Outcome("applied", Message(said.CERTIFICATE_UPDATED, certificate=payload["number"]))


@applier("enterprise")
def enterprise(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    found = _enterprise(payload["credit_code"])
    if found is None:
        region = payload.get("region_code")
        if not region or db.session.get(Region, region) is None:  # out of region: filed under the province
            region = "450000"
        found = Organisation(kind=OrganisationKind.ENTERPRISE, credit_code=payload["credit_code"],
                             region_code=region, in_region=region.startswith("45") and region != "450000",
                             name=payload["name"])
        db.session.add(found)
    found.name, found.enterprise_type = payload["name"], payload["enterprise_type"]
    found.legal_representative = payload.get("legal_representative") or found.legal_representative
    return Outcome("applied", Message(said.ENTERPRISE_UPDATED, enterprise=payload["name"]))


@applier("project")
def project(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    """A project from the national platform, with its data level (the platform's level is the reference)."""
    entry = _require_enterprise(payload["entry_credit_code"])
    if db.session.get(Region, payload["region_code"]) is None:
        raise RuleViolation(Message(said.REGION_UNKNOWN, region=payload["region_code"]), code="region_unknown")
    found = db.session.scalar(select(Project).where(Project.code == payload["project_code"]))
    if found is None:
        found = Project(code=payload["project_code"], entry_org_id=entry.id, name=payload["name"],
                        region_code=payload["region_code"], data_level=payload["data_level"])
        db.session.add(found)
    elif found.data_level != payload["data_level"]:  # as a handler's change of level: with before / after
        audit.record(None, "record.project_level", "project", found.id, system=row.system,
                     message_id=row.message_id, **audit.changed({"data_level": found.data_level},
                                                                {"data_level": payload["data_level"]}))
    found.name, found.region_code, found.data_level = payload["name"], payload["region_code"], payload["data_level"]
    found.permit_number = payload.get("permit_number") or found.permit_number
    found.construction_unit = payload.get("construction_unit") or found.construction_unit
    return Outcome("applied", Message(said.PROJECT_UPDATED, project=payload["project_code"],
                                      level=payload["data_level"]))


@applier("out_of_region_performance")
def out_of_region_performance(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    """An out-of-region record (C level or better) the enterprise may pick; never editable by hand."""
    owner = _require_enterprise(payload["credit_code"])
    records = db.session.scalars(select(PerformanceRecord).where(
        PerformanceRecord.enterprise_id == owner.id, PerformanceRecord.source == RecordSource.IMPORTED))
    found = next((r for r in records if (r.fields or {}).get("record_key") == payload["record_key"]), None)
    fields = {**(payload.get("fields") or {}), "record_key": payload["record_key"], "data_level": payload["data_level"]}
    if found is None:
        db.session.add(PerformanceRecord(enterprise_id=owner.id, project_name=payload["project_name"],
                                         source=RecordSource.IMPORTED, fields=fields))
        return Outcome("created", Message(said.PERFORMANCE_IMPORTED, record=payload["project_name"]))
    if found.used_in_bid or found.award_lock:
        raise RuleViolation("该业绩已用于投标或被中标锁定，不能更新", code="performance_frozen")
    found.project_name, found.fields = payload["project_name"], fields
    return Outcome("updated", Message(said.PERFORMANCE_UPDATED, record=payload["project_name"]))


def _record(payload: dict[str, Any]) -> PerformanceRecord:
    record = db.session.get(PerformanceRecord, payload["performance_record_id"])
    if record is None:
        raise RuleViolation("未找到该业绩记录", code="performance_record_not_found")
    return record


@applier("bid_usage")
def bid_usage(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    record = _record(payload)
    record.used_in_bid = True
    return Outcome("frozen", Message(said.PERFORMANCE_USED_IN_BID, record=record.project_name,
                                     bid=payload["bid_project"]))


@applier("award_lock")
def award_lock(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    record = _record(payload)
    if record.award_lock not in (None, payload["lock_reference"]):
        raise RuleViolation(Message(said.AWARD_LOCK_HELD, lock=record.award_lock), code="award_lock_held")
    record.award_lock = payload["lock_reference"]
    return Outcome("locked", Message(said.PERFORMANCE_AWARD_LOCKED, record=record.project_name,
                                     award=payload["award_project"]))


@applier("award_release")
def award_release(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    record = _record(payload)
    if record.award_lock is None:
        return Outcome("unchanged", "该业绩未被中标锁定")
    if record.award_lock != payload["lock_reference"]:
        raise RuleViolation(Message(said.AWARD_LOCK_MISMATCH, lock=record.award_lock), code="award_lock_mismatch")
    record.award_lock = None
    return Outcome("released", Message(said.PERFORMANCE_AWARD_RELEASED, record=record.project_name))


@applier("completion_acceptance")
def completion_acceptance(payload: dict[str, Any], row: InboundMessage) -> Outcome:
    code, message, case_id = start_or_advance(payload, row)
    return Outcome(code, message, case_id)


def _date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) and value else None
