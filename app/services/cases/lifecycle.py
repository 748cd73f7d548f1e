"""Cases: start, read, list, withdraw, retry after an error."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, lazyload

from app.db import UpsertStatement, table_of, utcnow
from app.errors import InvalidForm, Message, NotAllowed, RuleViolation
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Actor,
    Case,
    CaseClock,
    CaseNumberCounter,
    CaseStatus,
    Organisation,
    Role,
    Task,
    TaskStatus,
)
from app.policy import (
    applied_for,
    granted,
    require_admin,
    require_can_start,
    require_case_visible,
    require_procedure_right,
    visible_cases,
)
from app.services import steps
from app.services.cases.search import CaseFilter, search_cases
from app.services.deadlines.limits import LOCAL_TZ
from app.services.documents import issue
from app.services.procedures import forms
from app.services.procedures.registry import HandlerContext, get_handler
from app.services.procedures.versions import get_current_version, manifest_of

_COUNTERS = table_of(CaseNumberCounter)
_NEXT_VALUE = UpsertStatement(lambda insert: insert(_COUNTERS).on_conflict_do_update(
    index_elements=[_COUNTERS.c.prefix, _COUNTERS.c.year], set_={"last_value": _COUNTERS.c.last_value + 1})
    .returning(_COUNTERS.c.last_value))


def _next_number(prefix: str) -> str:
    """The next number of this prefix and year: one atomic upsert (the first case of a year creates
    the counter; concurrent starts queue on its row)."""
    year = utcnow().astimezone(LOCAL_TZ).year
    value = db.session.execute(_NEXT_VALUE(db.session()),
                               {"prefix": prefix, "year": year, "last_value": 1}).scalar_one()
    return f"{prefix}-{year}-{value:06d}"


def start_case_for(organisation_id: int, started_by_id: int, region_code: str, procedure_key: str,
                   data: dict[str, Any]) -> Case:
    """Start a case that no user started: another system's message did (services/exchange). The applicant is
    the organisation, `started_by_id` the user it is filed under (its main operator), the start data trusted
    (built by the service, not typed); its history's start has no actor."""
    version = get_current_version(procedure_key)
    manifest = manifest_of(version.id)
    case = Case(number=_next_number(manifest["case_prefix"]), procedure_key=procedure_key,
                procedure_version_id=version.id, procedure_version=version, status=CaseStatus.RUNNING,
                title=manifest["name"], applicant_org_id=organisation_id, started_by_id=started_by_id,
                region_code=region_code, data=dict(data))
    db.session.add(case)
    db.session.flush()
    steps.start(case, None, dict(data))
    return case


@dataclass(frozen=True)
class StartedCase:
    """A case just started and its open task rows after its first step (oldest first), for the answer."""

    case: Case
    open_tasks: list[Task]


def start_case(actor: Actor, procedure_key: str, data: dict[str, Any] | None = None) -> Case:
    """Start a case of the latest version of a procedure; the applicant's first task is claimed."""
    return start_case_with_tasks(actor, procedure_key, data).case


def require_may_start(actor: Actor, procedure_key: str) -> None:
    """The start form is for those who may start the procedure: a refusal before it is filled in, not after."""
    _require_may_start(actor, procedure_key, manifest_of(get_current_version(procedure_key).id))


def _require_may_start(actor: Actor, procedure_key: str, manifest: dict[str, Any]) -> None:
    require_can_start(actor, manifest.get("start_roles", []), manifest.get("start_organisations", []))
    require_procedure_right(actor, procedure_key)  # an operator's rights, set by his main operator


def start_case_with_tasks(actor: Actor, procedure_key: str, data: dict[str, Any] | None = None) -> StartedCase:
    """start_case, with the open task rows its first step made (the answer needs not read them again)."""
    version = get_current_version(procedure_key)
    manifest = manifest_of(version.id)
    _require_may_start(actor, procedure_key, manifest)
    initial = _validated_start_data(version, manifest, actor, data or {})
    case = Case(number=_next_number(manifest["case_prefix"]), procedure_key=procedure_key,
                procedure_version_id=version.id, procedure_version=version, status=CaseStatus.RUNNING,
                title=manifest["name"], applicant_org_id=actor.organisation_id,
                started_by_id=actor.id, region_code=actor.region_code, data=dict(initial),
                clock=None)  # none yet (the step adds it when received): known, so the answer need not read it
    db.session.add(case)  # written with its first step's rows, in one flush
    start_handler = manifest.get("properties", {}).get("startHandler")
    if start_handler:  # may refuse (RuleViolation: the whole start rolls back) or set region/title
        db.session.flush()  # the handler may need the case's id (to claim what it applies for)
        get_handler(start_handler)(HandlerContext(case=case, actor=actor, data=initial, session=db.session()))
    started = steps.start(case, actor, initial, claim_for=actor)
    if case.received_at is not None:  # started straight into an authority's step: received now
        issue.issue_acceptance(case, started.open_tasks)
    else:
        _require_room_for_a_draft(case)
    return StartedCase(case, started.open_tasks)


DEFAULT_MAX_DRAFT_CASES = 20

_ORGANISATION_LOCKED = (select(Organisation.id).where(Organisation.id == bindparam("org"))
                        .with_for_update(key_share=True))  # FOR NO KEY UPDATE: the new case's key share passes
_DRAFTS_OF_ORGANISATION = select(func.count()).select_from(Case).where(
    Case.applicant_org_id == bindparam("org"), Case.status.in_(OPEN_STATUSES), Case.received_at.is_(None))


def _require_room_for_a_draft(case: Case) -> None:
    """A case started as a draft (the applicant's form comes first: nothing received yet) takes its organisation
    past its limit of unsubmitted drafts (MAX_DRAFT_CASES, over all procedures)? Refused, the start rolled back:
    each draft may hold files up to the case's limit, so one account starting draft after draft would fill the
    upload disk. Counted after the case's row is written, counting it, one start of the organisation at a time
    (PostgreSQL: its row locked first; SQLite: the database's write lock is held), so parallel starts cannot pass
    it together."""
    limit = int(current_app.config.get("MAX_DRAFT_CASES") or DEFAULT_MAX_DRAFT_CASES)
    params = {"org": case.applicant_org_id}
    db.session.execute(_ORGANISATION_LOCKED, params)
    if (db.session.scalar(_DRAFTS_OF_ORGANISATION, params) or 0) > limit:
        raise RuleViolation(Message("尚未提交的申请已达 {n} 件，请先提交或撤回已有的申请，再发起新的申请", n=limit),
                            code="too_many_drafts")


def _validated_start_data(version: Any, manifest: dict[str, Any], actor: Actor,
                          data: dict[str, Any]) -> dict[str, Any]:
    start_form = manifest.get("properties", {}).get("startForm")
    if start_form:
        schema = forms.render_schema(forms.form_schema(version.id, start_form), actor, None)
        return forms.validate(schema, data)
    if data:
        raise InvalidForm({"_form": "此事项发起时无需填写数据，请在申请表中填写"},
                          message="此事项发起时不接受数据")
    return {}


def visible_case_numbers(actor: Actor, case_ids: Iterable[int | None]) -> dict[int, str]:
    """The numbers of those of the cases the actor may see, by id, in one statement (a page that names the cases
    behind records links only those it may open)."""
    wanted = sorted({case_id for case_id in case_ids if case_id is not None})
    if not wanted:
        return {}
    return {row.id: row.number for row in db.session.execute(
        select(Case.id, Case.number).where(Case.id.in_(wanted), visible_cases(actor)))}


def get_case(actor: Actor, case_id: int, with_clock: bool = False, locked: bool = False) -> Case:
    """The case if the actor may see it; `with_clock`: its clock joined in (for clock_flags_of); `locked`: its
    row locked for the rest of the transaction and read as it is once the lock is granted (PostgreSQL's FOR
    UPDATE; SQLite has one writer at a time), for a check-then-write that a concurrent one must not pass too."""
    if locked:
        case = db.session.scalar(_CASE_LOCKED, {"case_id": case_id})
    else:
        case = (db.session.scalar(_CASE_WITH_CLOCK, {"case_id": case_id}) if with_clock
                else db.session.get(Case, case_id))
    return require_case_visible(actor, case)


# Built once: Session.get with loader options builds and hashes the load anew on every case page.
_CASE_WITH_CLOCK = select(Case).options(joinedload(Case.clock)).where(Case.id == bindparam("case_id"))
_CASE_LOCKED = (select(Case).where(Case.id == bindparam("case_id")).with_for_update(of=Case)
                .execution_options(populate_existing=True))  # not the row read before the lock was granted


def list_cases(actor: Actor, filters: CaseFilter) -> tuple[list[Case], int]:
    """One page of the cases the actor may see that the filters select (services/cases/search.py)."""
    return search_cases(actor, filters)


# The case is at hand: not joined in again per task.
_OPEN_TASKS_OF_CASE = (select(Task).where(Task.case_id == bindparam("case"), Task.status == TaskStatus.OPEN)
                       .order_by(Task.created_at).options(lazyload(Task.case)))


def clock_flags(case_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """For each case with a clock: (its deadlines are provisional, its statutory limit has passed)."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(CaseClock.case_id, CaseClock.provisional, CaseClock.statutory_overdue)
                              .where(CaseClock.case_id.in_(case_ids)))
    return {case_id: (bool(provisional), bool(overdue)) for case_id, provisional, overdue in rows}


def clock_flags_of(case: Case) -> tuple[bool, bool]:
    """clock_flags of one case from its clock relationship (read on use unless loaded with the case)."""
    clock = case.clock
    return (bool(clock.provisional), bool(clock.statutory_overdue)) if clock is not None else (False, False)


def open_tasks_of(case: Case) -> list[Task]:
    return list(db.session.scalars(_OPEN_TASKS_OF_CASE, {"case": case.id}))


def own_draft(actor: Actor, procedure_key: str) -> Case | None:
    """The actor's newest case of the procedure still a draft (started, never submitted), if any: a page
    that starts a procedure without start data continues it rather than opening a second one."""
    return db.session.scalar(select(Case).where(
        Case.started_by_id == actor.id, Case.procedure_key == procedure_key, Case.status == CaseStatus.RUNNING,
        Case.received_at.is_(None)).order_by(Case.id.desc()).limit(1))


MAX_WITHDRAW_REASON = 2000


def _is_applicant(actor: Actor, case: Case) -> bool:
    return case.started_by_id == actor.id or (
        actor.has_role(Role.ENTERPRISE) and case.applicant_org_id == actor.organisation_id)


def decided(case: Case) -> bool:
    """The authority has made its decision and the case only waits for what follows it (a B→A upgrade for the
    national platform's acknowledgement, a temporary unlock for its end date): still running, but no longer the
    applicant's to withdraw. Known by `finished_at`, set when a decision stopped the case's clock
    (deadlines/clocks.py) and cleared should an authority's step open again; a case waiting for the applicant
    (补正, or a refusal he may amend) is not decided in this sense: he may still withdraw it."""
    return case.status == CaseStatus.RUNNING and case.finished_at is not None


def may_withdraw(actor: Actor, case: Case) -> bool:
    """Whether the page offers 撤回办件: an open case the actor applied for (by them or their enterprise), not
    one an authority started on their enterprise (a spot check), whose withdrawal is always refused, and not one
    the authority has decided already."""
    return (case.status in OPEN_STATUSES and not decided(case) and _is_applicant(actor, case)
            and applied_for(case) and granted(actor, case.procedure_key))


def withdraw_case(actor: Actor, case_id: int, reason: str = "") -> Case:
    """The applicant withdraws an open case not decided yet (`decided`), giving a reason; its open tasks are
    cancelled."""
    case = get_case(actor, case_id)
    if not _is_applicant(actor, case):
        raise NotAllowed("只有申请人可以撤回办件", code="withdraw_not_allowed")
    require_procedure_right(actor, case.procedure_key)
    if case.status == CaseStatus.WITHDRAWN:  # a second click, another tab: it is done, not "办结"
        raise RuleViolation("办件已撤回，无需重复撤回", code="case_closed")
    if case.status not in OPEN_STATUSES:
        raise RuleViolation("办件已办结，不能撤回", code="case_closed")
    withdraw_handler = manifest_of(case.procedure_version_id).get("properties", {}).get("withdrawHandler")
    if withdraw_handler:  # the procedure may refuse (RuleViolation), e.g. during a temporary unlock: its own words
        get_handler(withdraw_handler)(HandlerContext(case=case, actor=actor, data=dict(case.data or {}),
                                                     session=db.session()))
    if decided(case):  # approved and waiting (for another system, a date): what was decided stands
        raise RuleViolation("审核部门已作出决定，办件不能再撤回", code="withdraw_after_decision")
    reason = (reason or "").strip()
    if not reason:  # a withdrawal ends the case for good: it is deliberate and says why
        raise InvalidForm({"reason": Message("请填写撤回理由")})
    if len(reason) > MAX_WITHDRAW_REASON:
        raise InvalidForm({"reason": Message("最多填写 {limit} 个字符", limit=MAX_WITHDRAW_REASON)})
    steps.advance(case, actor, steps.Cancel(CaseStatus.WITHDRAWN, reason))
    return case


def retry_case(actor: Actor, case_id: int) -> Case:
    """An admin retries the failed step of a case in error after fixing the cause: a case the admin may see
    (an admin of a city: its region's), others are not found, whatever their state."""
    require_admin(actor)
    case = get_case(actor, case_id)
    if case.status != CaseStatus.ERROR:
        raise RuleViolation("办件不处于异常状态，无需重试", code="case_not_in_error")
    steps.advance(case, actor, steps.Retry())
    return case
