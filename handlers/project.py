"""在建项目 (project_registration): the construction unit picks a project by its construction-permit number (data
from the quality-and-safety supervision system), completes it and submits it to the authority of the project's
region. On approval the project is recorded with its participating enterprises (each sees it in its
in-progress list), its key personnel are locked to it (the locks personnel_unlock releases), and the project
with its basic data and at least one stage is queued for the national platform."""
from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.db import utcnow
from app.errors import DomainError, Message, NotAllowed, RuleViolation
from app.integrations.outbox import enqueue
from app.integrations.quality_safety import QualitySafetyUnavailable, SupervisedProject, find_project
from app.models import (
    DataLevel,
    LockRole,
    Organisation,
    OrganisationKind,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
    ProjectParticipant,
    ProjectRegistration,
    Region,
)
from app.models.records.lock import LOCK_ROLE_TITLES
from app.services.cases import subjects
from app.services.exchange.outbound import project_personnel, queue_project_personnel
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records.identifiers import mask_id_number
from handlers import choices, handler, validator
from handlers.rules import FieldRefusal, blocking_lock, lock_details, lock_title

PROCEDURE = "project_registration"
NATIONAL_PROJECT_KIND = "national_platform.project_approved"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "在建项目：{project}"
# A case's 异常 when the handler finds the data changed since the form was checked (a ValueError: the step fails)
PERSON_NOT_LOCKABLE = "人员 {person} 已不能锁定到本项目"
PARTICIPANT_TITLES = {"construction": "施工单位", "supervision": "监理单位", "survey": "勘察单位", "design": "设计单位"}
# who may hold which locked role: the PM and safety officer of the contractor, the chief supervisor of the supervisor
ROLE_PARTICIPANT = {LockRole.PROJECT_MANAGER: "construction", LockRole.SAFETY_OFFICER: "construction",
                    LockRole.CHIEF_SUPERVISOR: "supervision"}


class QualitySafetyDown(DomainError):
    status, code = 503, "quality_safety_unavailable"
    message = "工程质量安全监督信息管理系统暂时无法访问，请稍后再试"


def _lookup(permit_number: str) -> SupervisedProject | None:
    try:
        return find_project(current_app.config, permit_number)
    except QualitySafetyUnavailable as exc:
        current_app.logger.warning("quality-safety lookup failed: %s", exc)
        raise QualitySafetyDown() from exc


def _participants(ctx: HandlerContext, project: SupervisedProject) -> list[dict[str, Any]]:
    found = []
    for p in project.participants:
        org = ctx.session.scalar(select(Organisation).where(Organisation.credit_code == p.get("credit_code")))
        found.append({"role": p.get("role", ""), "name": org.name if org else p.get("name", ""),
                      "credit_code": p.get("credit_code", ""), "enterprise_id": org.id if org else None})
    return found


def _key_personnel(ctx: HandlerContext, project: SupervisedProject,
                   participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The supervision system's key personnel, as persons known here (by ID number); names only in the case."""
    by_code = {p["credit_code"]: p["enterprise_id"] for p in participants}
    people = []
    for k in project.key_personnel:
        person = ctx.session.scalar(select(Person).where(Person.id_number_is(k.get("id_number", ""))))
        if person is not None and person.employer_id == by_code.get(k.get("credit_code", "")):
            people.append({"person_id": person.id, "role": k.get("role")})
    return people


@handler("project.check_start", provides=("project_region_code",))
def check_start(ctx: HandlerContext) -> None:
    """Only a construction unit, only its own project as the supervision system knows it, not registered yet,
    one open registration per permit; the case goes to the project's region."""
    unit = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    if unit is None or unit.kind != OrganisationKind.CONSTRUCTION_UNIT:
        raise NotAllowed("在建项目由建设单位录入施工许可证号挑选", code="not_construction_unit")
    permit = str(ctx.data.get("permit_number") or "").strip()
    project = _lookup(permit)
    if project is None:
        raise FieldRefusal("permit_number", "工程质量安全监督信息管理系统中没有该施工许可证号的项目",
                           code="permit_not_found")
    if project.construction_unit_credit_code != unit.credit_code:
        raise FieldRefusal("permit_number", "该项目的建设单位不是本单位，不能挑选", code="not_project_owner")
    existing = ctx.session.scalar(select(Project.id).where(Project.permit_number == permit))
    if existing is not None:
        raise RuleViolation("该项目已录入“桂建云”", code="project_exists", details={"project_id": existing})
    if ctx.session.get(Region, project.region_code) is None:
        raise RuleViolation(Message("项目所在地 {region} 不在本系统的行政区划中", region=project.region_code),
                            code="project_region_unknown")
    subjects.claim(ctx.case, PROCEDURE, [f"permit:{permit}"], "该项目已有办理中的在建项目审核（{number}）")
    participants = _participants(ctx, project)
    ctx.case.region_code = project.region_code
    ctx.case.title = TITLE.format(project=project.name)
    ctx.data.update({"project_region_code": project.region_code, "supervised": {
        "project_code": project.project_code, "name": project.name, "region_code": project.region_code,
        "supervision_number": project.supervision_number, "construction_unit": project.construction_unit_name},
        "participants": participants, "key_personnel": _key_personnel(ctx, project, participants),
        "stages": list(project.stages), "scale": project.scale, "investment": project.investment})
    ctx.case.data = dict(ctx.data)


@choices("project.candidate_persons")
def candidate_persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """In-service persons of the case's participating enterprises (what the supervision registration picked)."""
    if ctx.case is None:
        return []
    ids = [p["enterprise_id"] for p in ctx.case.data.get("participants") or [] if p.get("enterprise_id")]
    rows = ctx.session.execute(select(Person.id, Person.name, Organisation.name.label("employer"))
                               .join(Organisation, Organisation.id == Person.employer_id)
                               .where(Person.employer_id.in_(ids), Person.status == PersonStatus.IN_SERVICE)
                               .order_by(Person.id))
    return [(row.id, f"{row.name}（{row.employer}）") for row in rows]


def _person_errors(ctx: HandlerContext, index: int, item: dict[str, Any], roles: dict[str, int]) -> dict[str, str]:
    key = f"key_personnel.{index}"
    person = ctx.session.get(Person, item.get("person_id"))
    role = LockRole(item["role"])
    if person is None:
        return {f"{key}.person_id": "该人员不在职"}
    if person.status != PersonStatus.IN_SERVICE:  # deregistered since chosen: the reviewer must know whom
        return {f"{key}.person_id": Message("{name}（{id_number}）已注销，不能确定为项目关键岗位人员",
                                            name=person.name, id_number=mask_id_number(person.id_number))}
    if roles.get(ROLE_PARTICIPANT[role]) != person.employer_id:
        needed = PARTICIPANT_TITLES[ROLE_PARTICIPANT[role]]
        return {f"{key}.person_id": Message("{role}应为本项目{participant}的人员", role=Message(LOCK_ROLE_TITLES[role]),
                                            participant=Message(needed))}
    lock = blocking_lock(ctx.session, person.id)
    if lock is not None:
        raise FieldRefusal(f"{key}.person_id", Message("{name}已锁定为{lock}，须先办理项目人员解锁", name=person.name,
                                                       lock=lock_title(lock)),
                           code="person_locked", details=lock_details(lock))
    return {}


def key_personnel_errors(ctx: HandlerContext, data: dict[str, Any]) -> dict[str, str]:
    """PM required; each role once; each person of the right participant, in service and not locked elsewhere."""
    roles = {p["role"]: p["enterprise_id"] for p in data.get("participants") or [] if p.get("enterprise_id")}
    people = list(data.get("key_personnel") or [])
    errors: dict[str, str] = {}
    if LockRole.PROJECT_MANAGER not in {p.get("role") for p in people}:
        errors["key_personnel"] = "须确定项目经理"
    seen: set[Any] = set()
    for index, item in enumerate(people):
        if item.get("role") in seen or item.get("person_id") in seen:
            errors[f"key_personnel.{index}.role"] = "同一岗位或同一人员只能填写一次"
        seen.update({item.get("role"), item.get("person_id")})
        errors.update(_person_errors(ctx, index, item, roles))
    return errors


@validator("project.check_completion")
def check_completion(ctx: HandlerContext) -> dict[str, str]:
    data = {**(ctx.case.data or {}), **ctx.data}
    errors = key_personnel_errors(ctx, data)
    if not [p for p in data.get("participants") or [] if p.get("role") == "construction" and p.get("enterprise_id")]:
        errors["participants"] = "施工单位未在“桂建云”入库，不能提交"
    return errors


@validator("project.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    if ctx.data.get("decision") != "approve":
        return {}
    errors = key_personnel_errors(ctx, ctx.case.data or {})  # a lock may have come meanwhile
    return {"decision": next(iter(errors.values()))} if errors else {}


@handler("project.register")
def register(ctx: HandlerContext) -> dict[str, Any]:
    """Record the project, its participants and registration; lock its key personnel; queue it nationally."""
    data = ctx.case.data or {}
    supervised = data["supervised"]
    unit = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    assert unit is not None
    project = Project(code=supervised["project_code"], permit_number=data["permit_number"], name=supervised["name"],
                      region_code=supervised["region_code"], construction_unit=unit.name, entry_org_id=unit.id,
                      data_level=DataLevel.C, stage="in_progress")
    ctx.session.add(project)
    ctx.session.flush()
    for p in data.get("participants") or []:
        if p.get("enterprise_id"):
            ctx.session.add(ProjectParticipant(project_id=project.id, enterprise_id=p["enterprise_id"], role=p["role"]))
    locks = []
    for item in data.get("key_personnel") or []:
        person = ctx.session.get(Person, item["person_id"])
        if person is None or blocking_lock(ctx.session, person.id) is not None:
            raise ValueError(Message(PERSON_NOT_LOCKABLE, person=item["person_id"]))
        lock = ProjectLock(project_id=project.id, person_id=person.id, enterprise_id=person.employer_id,
                           role=LockRole(item["role"]))
        ctx.session.add(lock)
        locks.append(lock)
    stages = list(data.get("stages") or [])
    ctx.session.add(ProjectRegistration(project_id=project.id, case_id=ctx.case.id, construction_unit_id=unit.id,
                                        supervision_number=supervised.get("supervision_number"),
                                        details={"scale": data.get("scale"), "investment": data.get("investment"),
                                                 "stages": stages}))
    ctx.session.flush()
    enqueue(NATIONAL_PROJECT_KIND, {
        "project_code": project.code, "permit_number": project.permit_number, "project_name": project.name,
        "region_code": project.region_code, "construction_unit": unit.name, "data_level": project.data_level,
        "stages": [{"name": st["stage"], "started_on": st.get("date") or None} for st in stages],
        "case_number": ctx.case.number, "approved_at": utcnow().isoformat()},
        f"national-platform:project:{project.code}", ctx.case.id, aggregate=f"project:{project.code}")
    # The approval system keeps the locked personnel of in-progress projects and refuses their change of employer
    # (notice 二(二)): it hears of these locks as it hears of every release and relock (handlers/unlock.py).
    personnel = project_personnel([lk.id for lk in locks]).get(project.id)
    if personnel is not None:
        queue_project_personnel(personnel, ctx.case, "locked")
    return {"project_id": project.id, "lock_ids": [lk.id for lk in locks]}


STORED_TEXTS = (TITLE, PERSON_NOT_LOCKABLE)  # texts stored in Chinese (app/services/stored_texts.py)
