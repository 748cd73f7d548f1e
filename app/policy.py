"""Who may do what: object checks (404 outside jurisdiction) and SQL filters for lists."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from app.errors import CaseNotFound, NotAllowed, TaskNotFound
from app.extensions import db
from app.models import (
    PROVINCE_CODE,
    Actor,
    Case,
    CaseStatus,
    Organisation,
    OrganisationKind,
    PerformanceRecord,
    Person,
    Project,
    ProjectLock,
    ProjectParticipant,
    Role,
    Task,
)

AUTHORITY_ROLES = (Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.LEAD,
                   Role.SUPERVISOR, Role.ADMIN, Role.ANALYST)


def region_covers(actor_region: str, region: str | None) -> bool:
    """Province covers all; a city (xxxx00) covers itself and its counties; a county only itself."""
    if region is None:
        return False
    if actor_region == PROVINCE_CODE:
        return True
    if actor_region.endswith("00"):
        return region[:4] == actor_region[:4]
    return region == actor_region


def _region_clause(column: Any, actor_region: str) -> ColumnElement[bool]:
    if actor_region == PROVINCE_CODE:
        return true()
    if actor_region.endswith("00"):
        return column.like(actor_region[:4] + "%")
    return column == actor_region


# Who reads cases and the people in them: an analyst designs procedures and needs neither (personal
# information is shown to those whose work needs it: PIPL's minimum necessary); the dashboard's
# aggregates remain open to officials of the province, analysts included.
CASE_READER_ROLES = tuple(role for role in AUTHORITY_ROLES if role != Role.ANALYST)


def _official_in(actor: Actor, roles: tuple[str, ...]) -> bool:
    return actor.organisation_kind in (OrganisationKind.AUTHORITY, OrganisationKind.PLATFORM) and \
        actor.has_role(*roles)


def _reads_cases(actor: Actor) -> bool:
    return _official_in(actor, CASE_READER_ROLES)


def may_read_cases(actor: Actor) -> bool:
    """An official whose work is cases (not an analyst): may see case numbers, titles and who holds what."""
    return _reads_cases(actor)


def _is_official(actor: Actor) -> bool:
    return _official_in(actor, AUTHORITY_ROLES)


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """SQL filter: the cases this actor may see. An enterprise's operator whose main operator granted him some
    procedures (办理权限) sees its cases of those, and the cases he started himself: another procedure's cases
    carry persons' data his work does not need (PIPL's minimum necessary)."""
    clauses: list[ColumnElement[bool]] = [Case.started_by_id == actor.id]
    if actor.has_role(Role.ENTERPRISE):
        own = Case.applicant_org_id == actor.organisation_id
        rights = allowed_procedures(actor)  # a SQL filter: the rights as a list, not one procedure at a time
        clauses.append(own if rights is None else and_(own, Case.procedure_key.in_(sorted(rights))))
    if _reads_cases(actor):
        received: ColumnElement[bool] = Case.received_at.is_not(None)
        if actor.has_role(Role.ADMIN):
            received = or_(received, Case.status == CaseStatus.ERROR)
        clauses.append(and_(_region_clause(Case.region_code, actor.region_code), received))
    return or_(*clauses)


def _received_by_authorities(actor: Actor, case: Case) -> bool:
    """An applicant's draft is his own until submitted; an admin also sees a case that failed before that,
    to retry it."""
    return case.received_at is not None or (case.status == CaseStatus.ERROR and actor.has_role(Role.ADMIN))


def applied_for(case: Case) -> bool:
    """Whether the case is an application: started by someone of its applicant (an operator of the enterprise,
    the person himself), not by an authority acting on the enterprise (a spot check): only an application is
    acknowledged (受理通知书) and withdrawn by its applicant."""
    starter = case.started_by
    return starter is not None and starter.organisation_id == case.applicant_org_id


def on_applicant_side(actor: Actor, case: Case) -> bool:
    """The user who started the case or a user of its applicant organisation: the side that entered its data
    (its own ID numbers and phones are not masked for it in the API, and its unsubmitted uploads are its own)."""
    return case.started_by_id == actor.id or case.applicant_org_id == actor.organisation_id


def can_see_case(actor: Actor, case: Case) -> bool:
    if case.started_by_id == actor.id:
        return True
    if actor.has_role(Role.ENTERPRISE) and case.applicant_org_id == actor.organisation_id and \
            granted(actor, case.procedure_key):
        return True
    return (_reads_cases(actor) and region_covers(actor.region_code, case.region_code)
            and _received_by_authorities(actor, case))


def require_case_visible(actor: Actor, case: Case | None) -> Case:
    if case is None or not can_see_case(actor, case):
        raise CaseNotFound()
    return case


def is_candidate(actor: Actor, task: Task) -> bool:
    """May this actor work on the task (claim it, or complete it once claimed)?"""
    if task.role not in actor.roles:
        return False
    if task.candidate_org_id is not None:
        return task.candidate_org_id == actor.organisation_id
    return task.region_code == actor.region_code


APPLICANT_ROLES = frozenset({Role.ENTERPRISE, Role.INDIVIDUAL})


def role_kinds(actor: Actor) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the actor's applicant roles, its official roles), sorted: what shapes its candidate filter."""
    return tuple(sorted(actor.roles & APPLICANT_ROLES)), tuple(sorted(actor.roles - APPLICANT_ROLES))


def candidate_tasks(actor: Actor) -> ColumnElement[bool]:
    """SQL filter: tasks of the actor's applicant roles in its organisation, of its official roles in its
    region. Built per kind of role so that each branch can use its own index."""
    return candidate_filter(*role_kinds(actor), actor.organisation_id, actor.region_code)


def candidate_filter(applicant: tuple[str, ...], official: tuple[str, ...], organisation_id: Any,
                     region_code: Any) -> ColumnElement[bool]:
    """candidate_tasks' filter from its parts; the organisation and region may be bound parameters (a
    statement built once per shape of roles, its values given at each execution)."""
    branches: list[ColumnElement[bool]] = []
    if applicant:
        branches.append(and_(Task.candidate_org_id == organisation_id, Task.role.in_(applicant)))
    if official:
        branches.append(and_(Task.region_code == region_code, Task.candidate_org_id.is_(None),
                             Task.role.in_(official)))
    if not branches:
        return false()
    return branches[0] if len(branches) == 1 else or_(*branches)


def can_see_task(actor: Actor, task: Task) -> bool:
    """A candidate sees the task only for a procedure granted to him (an operator's 办理权限), as its case."""
    return ((is_candidate(actor, task) and granted(actor, task.case.procedure_key)) or task.assignee_id == actor.id
            or task.completed_by_id == actor.id or can_see_case(actor, task.case))


def require_task_visible(actor: Actor, task: Task | None) -> Task:
    if task is None or not can_see_task(actor, task):
        raise TaskNotFound()
    return task


def may_assign(actor: Actor, task: Task) -> bool:
    return actor.has_role(Role.LEAD, Role.ADMIN) and region_covers(actor.region_code, task.region_code)


def require_can_assign(actor: Actor, task: Task) -> None:
    if not may_assign(actor, task):
        raise NotAllowed("只有本辖区的科室负责人可以分派任务", code="assign_not_allowed")


def may_unclaim(actor: Actor, task: Task) -> bool:
    """A task goes back to its candidates (退回待领取) by its holder, or by a lead who may assign it."""
    return task.assignee_id == actor.id or may_assign(actor, task)


def require_can_unclaim(actor: Actor, task: Task) -> None:
    if not may_unclaim(actor, task):
        raise NotAllowed("只有任务的领取人或本辖区的科室负责人可以将任务退回待领取", code="unclaim_not_allowed")


def start_refusal(actor: Actor, start_roles: Sequence[str],
                  start_organisations: Sequence[str] = ()) -> NotAllowed | None:
    """Why the procedure's start rights (roles, and the kinds of organisation it is for; none: any) do not admit
    the actor, or None: the one rule behind the procedures offered (may_start) and a start's refusal
    (require_can_start). A construction unit holds the enterprise role too, but not the contractors' procedures;
    a personal account is admitted as `individual` for its person's employment on record: one employed nowhere
    (who registered himself) has nothing to apply for (人员注销 refused him only once filled in)."""
    if start_roles and not actor.has_role(*start_roles):
        return NotAllowed("您的角色不能发起此事项", code="start_not_allowed")
    if start_organisations and actor.organisation_kind not in start_organisations:
        return NotAllowed("您所在的单位类型不能发起此事项", code="start_organisation_not_allowed")
    if actor.organisation_kind == OrganisationKind.INDIVIDUAL and OrganisationKind.INDIVIDUAL in start_organisations \
            and not _employed(actor):
        return NotAllowed("您目前没有在册的工作单位，不能发起此事项", code="start_no_employer")
    return None


def _employed(actor: Actor) -> bool:
    """Whether the actor's own person has an employer on record (deregistered or not: a deregistered person
    is told so by 人员注销 itself)."""
    return actor.person_id is not None and db.session.scalar(
        select(Person.employer_id).where(Person.id == actor.person_id)) is not None


def may_start(actor: Actor, start_roles: Sequence[str], start_organisations: Sequence[str] = ()) -> bool:
    return start_refusal(actor, start_roles, start_organisations) is None


def require_can_start(actor: Actor, start_roles: Sequence[str], start_organisations: Sequence[str] = ()) -> None:
    refusal = start_refusal(actor, start_roles, start_organisations)
    if refusal is not None:
        raise refusal


def require_admin(actor: Actor) -> None:
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed("只有系统管理员可以执行此操作", code="admin_only")


def is_province_admin(actor: Actor) -> bool:
    return actor.has_role(Role.ADMIN) and actor.region_code == PROVINCE_CODE


def manages_procedures(actor: Actor) -> bool:
    return actor.has_role(Role.ANALYST) or is_province_admin(actor)


def require_province_admin(actor: Actor) -> None:
    """What every region shares (the working-day calendar, the data exchange with the other systems): the
    province's admins, not a city's, whose rights end at their region (a city admin moved every city's
    deadlines with a holiday, and read every region's exchange messages)."""
    require_admin(actor)
    if not is_province_admin(actor):
        raise NotAllowed("只有自治区级系统管理员可以执行此操作（全区共用）", code="province_admin_only")


def require_procedure_analyst(actor: Actor) -> None:
    """Versions, deploys, rollbacks and migrations of procedures (the same for every region): business analysts,
    and the province's admins."""
    if not manages_procedures(actor):
        raise NotAllowed("只有业务分析人员和自治区级系统管理员可以管理事项流程", code="procedures_not_allowed")


# -- SLA dashboard ----------------------------------------------------------------------------

DASHBOARD_ROLES = (Role.SUPERVISOR, Role.LEAD)


def can_view_dashboard(actor: Actor) -> bool:
    """Supervisors and leads of an authority, and every official of the province, see the dashboard."""
    return _is_official(actor) and (actor.has_role(*DASHBOARD_ROLES) or actor.region_code == PROVINCE_CODE)


def require_dashboard_region(actor: Actor, region: str | None) -> str:
    """The region the actor asked to look at (default: its own); outside its jurisdiction is refused."""
    if not can_view_dashboard(actor):
        raise NotAllowed("只有监管人员、科室负责人和自治区用户可以查看时限监管看板", code="dashboard_not_allowed")
    wanted = region or actor.region_code
    if not region_covers(actor.region_code, wanted):
        raise NotAllowed("您无权查看该辖区的时限监管数据", code="dashboard_region_not_allowed")
    return wanted


def region_scope(column: Any, region: str) -> ColumnElement[bool]:
    """SQL filter: rows whose region lies in `region` (province: all; city: itself and its counties)."""
    return _region_clause(column, region)


# -- domain records (read access): an enterprise its own, an authority its region, the province all -------------

def _orgs_in_region(actor: Actor) -> Any:
    return select(Organisation.id).where(_region_clause(Organisation.region_code, actor.region_code))


def visible_enterprises(actor: Actor) -> ColumnElement[bool]:
    """SQL filter on Organisation: enterprises the actor may see (its own; its region's for officials)."""
    clauses: list[ColumnElement[bool]] = []
    if actor.has_role(Role.ENTERPRISE):
        clauses.append(Organisation.id == actor.organisation_id)
    if _reads_cases(actor):
        clauses.append(_region_clause(Organisation.region_code, actor.region_code))
    return and_(Organisation.kind == OrganisationKind.ENTERPRISE, or_(false(), *clauses))


def visible_persons(actor: Actor) -> ColumnElement[bool]:
    """SQL filter on Person: the enterprise's employees, oneself, or (officials) employees of the region's
    enterprises; a person without an employer is seen by the province only."""
    clauses: list[ColumnElement[bool]] = []
    if actor.person_id is not None:
        clauses.append(Person.id == actor.person_id)
    if actor.has_role(Role.ENTERPRISE):
        clauses.append(Person.employer_id == actor.organisation_id)
    if _reads_cases(actor):
        clauses.append(true() if actor.region_code == PROVINCE_CODE else Person.employer_id.in_(_orgs_in_region(actor)))
    return or_(false(), *clauses)


def visible_projects(actor: Actor) -> ColumnElement[bool]:
    """SQL filter on Project: projects the enterprise entered, takes part in or has persons locked to; the region's
    for officials."""
    clauses: list[ColumnElement[bool]] = []
    if actor.has_role(Role.ENTERPRISE):
        clauses.append(Project.entry_org_id == actor.organisation_id)
        clauses.append(Project.id.in_(select(ProjectLock.project_id).where(
            ProjectLock.enterprise_id == actor.organisation_id)))
        clauses.append(Project.id.in_(select(ProjectParticipant.project_id).where(  # 参建单位: its in-progress list
            ProjectParticipant.enterprise_id == actor.organisation_id)))
    if _reads_cases(actor):
        clauses.append(_region_clause(Project.region_code, actor.region_code))
    return or_(false(), *clauses)


def visible_locks(actor: Actor) -> ColumnElement[bool]:
    """SQL filter on ProjectLock: the enterprise's own locks; those on projects of the region for officials."""
    clauses: list[ColumnElement[bool]] = []
    if actor.has_role(Role.ENTERPRISE):
        clauses.append(ProjectLock.enterprise_id == actor.organisation_id)
    if _reads_cases(actor):
        clauses.append(ProjectLock.project_id.in_(
            select(Project.id).where(_region_clause(Project.region_code, actor.region_code))))
    return or_(false(), *clauses)


def visible_performance_records(actor: Actor) -> ColumnElement[bool]:
    """SQL filter on PerformanceRecord: the enterprise's own; those of the region's enterprises for officials."""
    clauses: list[ColumnElement[bool]] = []
    if actor.has_role(Role.ENTERPRISE):
        clauses.append(PerformanceRecord.enterprise_id == actor.organisation_id)
    if _reads_cases(actor):
        clauses.append(PerformanceRecord.enterprise_id.in_(_orgs_in_region(actor)))
    return or_(false(), *clauses)


def allowed_procedures(actor: Actor) -> frozenset[str] | None:
    """The procedures an enterprise operator may handle, as his main operator set them (None: no restriction
    beyond his roles): start, claim, complete, withdraw."""
    if not actor.has_role(Role.ENTERPRISE):
        return None
    rights = actor.allowed_procedures  # read with the caller (its token's statement, or the session's User)
    return frozenset(rights) if rights else None


def rights_cover(rights: Collection[str] | None, procedure_key: str) -> bool:
    """Whether an operator's rights (None or none ticked: every procedure) cover the procedure."""
    return not rights or procedure_key in rights


def granted(actor: Actor, procedure_key: str) -> bool:
    """Whether the actor may handle the procedure's cases as far as his 办理权限 go (start, see, claim, complete,
    withdraw, be told): an operator the procedures his main operator ticked, anyone else every procedure."""
    return rights_cover(allowed_procedures(actor), procedure_key)


def require_procedure_right(actor: Actor, procedure_key: str) -> None:
    """403 for an operator whose main operator did not grant him the procedure."""
    if not granted(actor, procedure_key):
        raise NotAllowed("您的主操作员未授权您办理此事项", code="procedure_not_granted")
