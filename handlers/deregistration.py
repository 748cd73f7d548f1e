"""Personnel deregistration (人员注销): by the employer itself, or by the authority of the former employer's
region when that employer does not cooperate. A locked person and a holder of a certificate in force are
refused at start (see bpmn/README.md).
"""
from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select

from app.crypto import lookup_hashes
from app.dates import FIRST_DAY
from app.db import utcnow
from app.errors import InvalidForm, Message, NotAllowed, RuleViolation
from app.integrations.outbox import enqueue
from app.models import (
    CERTIFICATE_KIND_TITLES,
    PROVINCE_CODE,
    Certificate,
    Person,
    PersonStatus,
    ProjectLock,
    Role,
)
from app.services import audit
from app.services.cases import subjects
from app.services.exchange.internal import former_employer_message
from app.services.exchange.outbound import queue_personnel
from app.services.notifications_applicant import tell_person_deregistered
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records.identifiers import is_valid_id_number, mask_id_number
from handlers import choices, handler, validator
from handlers.rules import UNLOCK_PROCEDURE, blocking_lock, lock_details, lock_title

PROCEDURE = "personnel_deregistration"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# Certificate holders change employer in the system that issued the certificate (domain §4).
CERTIFICATE_SYSTEM = "培训考试系统或审批系统"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "人员注销：{person}（{employer}）"
# A case's 异常 when the handler finds the data changed since the form was checked (a ValueError: the step fails)
PERSON_GONE = "人员 {person} 不存在或无在册单位"
KIND_TITLES = {str(kind): title for kind, title in CERTIFICATE_KIND_TITLES.items()}


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def _in_force() -> ColumnElement[bool]:
    """Certificates not expired on today's date (one without an expiry date is in force) [interp]."""
    return or_(Certificate.valid_until.is_(None), Certificate.valid_until >= _today())


def certificate_in_force(session: Any, person_id: int) -> Certificate | None:
    """The person's first certificate in force, if any."""
    return session.scalar(select(Certificate).where(Certificate.person_id == person_id, _in_force())
                          .order_by(Certificate.id).limit(1))


def certificate_title(cert: Certificate) -> Message:
    kind = Message(KIND_TITLES.get(cert.kind, cert.kind))
    until = Message("，有效期至 {day}", day=cert.valid_until.isoformat()) if cert.valid_until else ""
    if cert.specialty:
        return Message("{kind}证书（{specialty}）（证书编号 {number}{until}）", kind=kind, specialty=cert.specialty,
                       number=cert.number, until=until)
    return Message("{kind}证书（证书编号 {number}{until}）", kind=kind, number=cert.number, until=until)


@choices("dereg.persons")
def persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """An enterprise: its persons in service (locked ones and certificate holders marked); an individual: himself."""
    if ctx.actor.has_role(Role.ENTERPRISE):
        rows = list(ctx.session.scalars(select(Person).where(
            Person.employer_id == ctx.actor.organisation_id,
            Person.status == PersonStatus.IN_SERVICE).order_by(Person.id)))
    else:
        rows = list(ctx.session.scalars(select(Person).where(Person.id == (ctx.actor.person_id or -1))))
    locked = set(ctx.session.scalars(select(ProjectLock.person_id).where(ProjectLock.active.is_(True))))
    certified = set(ctx.session.scalars(select(Certificate.person_id).where(
        Certificate.person_id.in_([p.id for p in rows]), _in_force())))

    def label(person: Person) -> Message:  # a message: the English pages say the marks in English
        marks = ("· 项目锁定中" if person.id in locked else "") + (
            f"· 持证人员（通过{CERTIFICATE_SYSTEM}变更）" if person.id in certified else "")
        return Message(_PERSON_LABELS[marks], name=person.name, id_number=mask_id_number(person.id_number))
    return [(p.id, label(p)) for p in rows]


_PERSON_LABELS = {  # a person to deregister, by the marks that say what stands in the way
    "": "{name}（{id_number}）",
    "· 项目锁定中": "{name}（{id_number}）· 项目锁定中",
    f"· 持证人员（通过{CERTIFICATE_SYSTEM}变更）": "{name}（{id_number}）· 持证人员（通过培训考试系统或审批系统变更）",
    f"· 项目锁定中· 持证人员（通过{CERTIFICATE_SYSTEM}变更）":
        "{name}（{id_number}）· 项目锁定中· 持证人员（通过培训考试系统或审批系统变更）",
}


def _by_id_number(ctx: HandlerContext) -> Person:
    number = str(ctx.data.get("person_id_number") or "").strip().upper()
    name = str(ctx.data.get("person_name") or "").strip()
    errors = {}
    if not is_valid_id_number(number):
        errors["person_id_number"] = "请填写该人员正确的18位身份证号码"
    if not name:
        errors["person_name"] = "请填写该人员姓名"
    if errors:
        raise InvalidForm(errors)
    person = ctx.session.scalar(select(Person).where(Person.id_number_hash.in_(lookup_hashes(number))))
    if person is None or person.name != name:
        raise RuleViolation("未找到该人员，请核对身份证号码和姓名", code="dereg_person_not_found")
    if person.employer_id == ctx.case.applicant_org_id:
        raise RuleViolation("该人员在本单位在册，请选择“本单位注销”直接办理", code="dereg_own_person")
    return person


def _subject(ctx: HandlerContext) -> tuple[Person, str]:
    """The person to deregister and who applies: employer, individual or new_employer."""
    actor, mode = ctx.actor, ctx.data.get("mode")
    assert actor is not None
    if not actor.has_role(Role.ENTERPRISE):
        if mode != "non_cooperating":
            raise RuleViolation("个人只能在原单位不配合时向主管部门申请注销", code="dereg_mode_not_allowed")
        person = ctx.session.get(Person, actor.person_id) if actor.person_id else None
        if person is None:
            raise RuleViolation("您的账号未关联在册人员信息", code="dereg_no_person")
        return person, "individual"
    if mode == "non_cooperating":
        return _by_id_number(ctx), "new_employer"
    person = ctx.session.get(Person, ctx.data.get("person_id"))
    if person is None or person.employer_id != ctx.case.applicant_org_id:
        raise RuleViolation("只能注销本单位在册人员", code="dereg_not_own_person")
    return person, "employer"


def locked_message(person: Person, lock: ProjectLock, applicant_kind: str, certified: bool = False) -> Message:
    """Why a locked person cannot be deregistered, and who releases him first (a message built of messages: the
    English pages and the API's `message_en` translate each part)."""
    state = Message("处于项目人员锁定状态" if lock.active else "正处于临时解锁期，期满将恢复锁定")
    employer = person.employer.name if person.employer else Message("原单位")
    who = Message("请先") if applicant_kind == "employer" else Message("请由原单位（{employer}）先", employer=employer)
    then = Message("解锁后，其单位变更须通过培训考试系统或审批系统办理（持证人员）。" if certified
                   else "解锁后再申请注销。")
    # A new employer is not told which of another enterprise's projects the person is bound to.
    where = lock_title(lock) if applicant_kind != "new_employer" else Message("在建项目的关键岗位人员")
    return Message("{person}为{where}，{state}，不能注销。{who}办理项目人员解锁，{then}", person=person.name,
                   where=where, state=state, who=who, then=then)


def certificate_message(person: Person, cert: Certificate, applicant_kind: str) -> Message:
    """A new employer is told what kind of certificate it is, not another enterprise's record of it (its
    number and expiry)."""
    title = (Message("{kind}证书", kind=Message(KIND_TITLES.get(cert.kind, cert.kind)))
             if applicant_kind == "new_employer" else certificate_title(cert))
    return Message("{person}持有有效的{title}，属持证人员，其单位变更、注销须通过培训考试系统或审批系统办理"
                   "（数据交换后自动变更），不能在本系统注销。", person=person.name, title=title)


def require_deregistrable(session: Any, person: Person, applicant_kind: str,
                          former_employer: tuple[int, str] | None = None) -> None:
    """In service, employed in Guangxi, not bound to a project, no certificate in force: else a refusal with a
    stable code. A locked certificate holder hears of the lock first (nothing changes before the unlock).
    `former_employer` (id, name): the employer a case deregisters him from, which must still be his (a person
    moved meanwhile, by data exchange, is never deregistered from the employer he has now)."""
    if person.status != PersonStatus.IN_SERVICE:
        raise RuleViolation(Message("{name}已注销，无需再次办理", name=person.name), code="dereg_already_deregistered")
    if former_employer is not None and person.employer_id != former_employer[0]:
        raise RuleViolation(Message("{name}的在册单位已变更，不再是本申请的原单位（{employer}），不能按本申请注销",
                                    name=person.name, employer=former_employer[1]), code="dereg_employer_changed")
    if person.employer is None:  # a self-registered individual employed nowhere: in service, nothing to leave
        raise RuleViolation(Message("您目前没有在册的工作单位，无需办理人员注销") if applicant_kind == "individual"
                            else Message("{name}目前没有在册的工作单位，无需办理人员注销", name=person.name),
                            code="dereg_no_employer")
    if person.employer.region_code[:2] != PROVINCE_CODE[:2]:
        raise RuleViolation("原单位为区外企业，请向其注册地住房城乡建设主管部门申请", code="dereg_out_of_region")
    lock, cert = blocking_lock(session, person.id), certificate_in_force(session, person.id)
    if lock is not None:
        outsider = applicant_kind == "new_employer"  # the project and certificate are another enterprise's data
        raise RuleViolation(locked_message(person, lock, applicant_kind, cert is not None), code="person_locked",
                            details={"procedure": UNLOCK_PROCEDURE} if outsider else lock_details(lock))
    if cert is not None:
        details: dict[str, Any] = {"certificate_kind": cert.kind}
        if applicant_kind != "new_employer":
            details.update(certificate_id=cert.id, certificate_number=cert.number,
                           valid_until=cert.valid_until.isoformat() if cert.valid_until else None)
        raise RuleViolation(certificate_message(person, cert, applicant_kind), code="dereg_certificate_holder",
                            details=details)


def _leave_date_errors(data: dict[str, Any]) -> None:
    """The leaving date lies within the days the application supports (app/dates: none before 2000-01-01) and
    is not after today in China: a person who has not left yet is not deregistered [interp: the notice is silent]."""
    value = data.get("leave_date")
    if not isinstance(value, str) or not value:  # required, and a date: the form's schema said so already
        return
    day = date.fromisoformat(value)
    if day < FIRST_DAY:
        raise InvalidForm({"leave_date": Message("离职日期不能早于 {day}", day=FIRST_DAY.isoformat())})
    if day > _today():
        raise InvalidForm({"leave_date": "离职日期不能晚于今天"})


# Names no case: the application that holds the person may be one the user cannot open (another applicant's).
DUPLICATE = "{person}已有办理中的注销申请，请勿重复申请"


def _subject_key(person: Person) -> str:
    return f"person:{person.id}"


def _duplicate(person: Person) -> RuleViolation:
    return RuleViolation(Message(DUPLICATE, person=person.name), code="duplicate_open_case")


def _claim(ctx: HandlerContext, person: Person) -> None:
    """The case now applies for the person: another open application for him is refused (a draft, whose
    application is not submitted, claims nothing and blocks nobody)."""
    try:
        subjects.claim(ctx.case, PROCEDURE, [_subject_key(person)], DUPLICATE, values={"person": person.name})
    except RuleViolation as refusal:
        if refusal.code != "duplicate_open_case":
            raise
        raise _duplicate(person) from None  # without the other case's number in the details


@handler("dereg.check_start", provides=("person_id", "person_name", "applicant_kind", "former_employer_id",
                                         "former_employer_name", "person_id_number"))
def check_start(ctx: HandlerContext) -> dict[str, Any]:
    """Refuse a start that cannot succeed; route the case to the former employer's region."""
    _leave_date_errors(ctx.data)
    person, applicant_kind = _subject(ctx)
    require_deregistrable(ctx.session, person, applicant_kind)
    if applicant_kind == "employer":  # deregistered in this very step
        _claim(ctx, person)
    elif subjects.holder(PROCEDURE, [_subject_key(person)], ctx.case.id) is not None:
        raise _duplicate(person)  # an application that holds him; an unsubmitted one holds nothing
    former = person.employer
    assert former is not None
    ctx.case.region_code = former.region_code
    ctx.case.title = TITLE.format(person=person.name, employer=former.name)
    ctx.data.update(person_id=person.id, person_name=person.name, applicant_kind=applicant_kind,
                    former_employer_id=former.id, former_employer_name=former.name,
                    person_id_number=mask_id_number(person.id_number))  # never the full number in case data
    ctx.case.data = dict(ctx.data)
    return {}


def _person(ctx: HandlerContext) -> Person:
    person = ctx.session.get(Person, ctx.case.data.get("person_id"))
    assert person is not None, "case without person"
    return person


def _former_employer(case_data: dict[str, Any]) -> tuple[int, str] | None:
    """The employer the case deregisters the person from (recorded at start)."""
    former = case_data.get("former_employer_id")
    return (int(former), str(case_data.get("former_employer_name") or "")) if former is not None else None


def _still_deregistrable(ctx: HandlerContext) -> str | None:
    try:
        require_deregistrable(ctx.session, _person(ctx), ctx.case.data.get("applicant_kind", ""),
                              _former_employer(ctx.case.data))
    except RuleViolation as refusal:
        return refusal.message
    return None


@validator("dereg.check_application")
def check_application(ctx: HandlerContext) -> dict[str, str]:
    """A new employer adds its labour contract; the person must still be deregistrable."""
    errors: dict[str, str] = {}
    if ctx.case.data.get("applicant_kind") == "new_employer" and not ctx.data.get("new_employment_files"):
        errors["new_employment_files"] = "新单位申请须上传与该人员签订的劳动合同"
    refusal = _still_deregistrable(ctx)
    if refusal:
        errors["_form"] = refusal
    if not errors:  # submitted: the case now applies for the person
        _claim(ctx, _person(ctx))
    return errors


@validator("dereg.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    """Approval needs the paper originals received and the person still deregistrable."""
    if ctx.data.get("decision") != "approve":
        return {}
    if not ctx.data.get("paper_originals_received"):
        return {"paper_originals_received": "批准前须确认已收到并核验纸质申请材料"}
    refusal = _still_deregistrable(ctx)
    return {"decision": refusal} if refusal else {}


@handler("dereg.deregister_person")
def deregister_person(ctx: HandlerContext, person_id: int, applicant_kind: str) -> dict[str, Any]:
    """Deregister the person; when the authority decided, the former employer is notified (outbox); the person,
    unless he applied himself, is told in his own account (when he has one)."""
    person = ctx.session.get(Person, person_id)
    if person is None or person.employer is None:
        raise ValueError(Message(PERSON_GONE, person=person_id))
    require_deregistrable(ctx.session, person, applicant_kind, _former_employer(ctx.case.data or {}))
    audit.record(ctx.actor, "record.person_deregistered", "person", person.id, case=ctx.case.number,
                 before={"status": person.status}, after={"status": PersonStatus.DEREGISTERED.value})
    person.status = PersonStatus.DEREGISTERED
    queue_personnel(person, person.employer, ctx.case)  # the trading platform no longer offers him as its staff
    notified = applicant_kind != "employer"
    if notified:
        enqueue("notify.former_employer", {
            "enterprise_id": person.employer.id, "enterprise_name": person.employer.name,
            "person_name": person.name, "person_id_number": mask_id_number(person.id_number),
            "case_number": ctx.case.number,
            "message": str(former_employer_message(person.name, ctx.case.number))},
            idempotency_key=f"dereg-notice-{ctx.case.id}", case_id=ctx.case.id)
    # He did not apply: told himself, if he has an account of his own. After an authority's decision he is told
    # with the decision's notice, as a person the case concerns (notifications_applicant.after_authority_step).
    if applicant_kind != "individual" and not notified:
        tell_person_deregistered(ctx.case, person.id, person.employer.name)
    return {"deregistered": person.id, "former_employer_notified": notified}


@handler("dereg.check_withdraw")
def check_withdraw(ctx: HandlerContext) -> dict[str, Any]:
    """A person's own application is withdrawn only by that person, not by the former employer."""
    if ctx.case.data.get("applicant_kind") == "individual" and ctx.actor and ctx.actor.id != ctx.case.started_by_id:
        raise NotAllowed("只有申请人本人可以撤回该注销申请", code="withdraw_not_allowed")
    return {}


STORED_TEXTS = (TITLE, PERSON_GONE)  # texts stored in Chinese (app/services/stored_texts.py)
