"""办件查询: the cases an actor may see (policy.visible_cases), found by number, status, procedure, applicant,
person, project, region, the day received and the deadline state, newest or soonest due first.

Equalities and ranges use the cases table's indexes (status, procedure_key, deadline_state, region_code,
received_at); a word typed for the applicant, a person or a project is looked up in the small tables of
organisations, persons and projects first, then matched in the visible cases' titles (which name the persons
and the project) and applicants.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, not_, or_, select

from app.db import LIKE_ESCAPE, contains_pattern
from app.extensions import db
from app.models import (
    PROVINCE_CODE,
    Actor,
    Case,
    CaseClock,
    CaseStatus,
    Organisation,
    Person,
    Project,
    Region,
    Role,
)
from app.policy import region_covers, visible_cases
from app.services import audit
from app.services.deadlines.breach import breached_before_pause, overdue_now
from app.services.deadlines.limits import DECIDED_STATES, LOCAL_TZ, PAUSED

SORTS = ("-received", "due")
SEARCH_DEADLINE_STATES = ("on_time", "warning", "overdue", "paused", "completed_on_time", "completed_late")
# What the pages show the applicant's side for a case refused back to it (不予, waiting for an amended application:
# web/presenters.RESUBMIT), where officials read the authority's outcome (按时办结 / 超期办结). It is no stored state,
# so the API does not offer it; the pages' search does, to the applicant's side.
RESUBMIT = "resubmit"
MAX_NAMES = 50  # persons or projects a typed word may stand for


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    procedure: str | None = None
    number: str | None = None
    page: int = 1
    per_page: int = 20
    applicant: str | None = None  # name or unified social credit code (part of it)
    person: str | None = None  # a person's name (part of it) or resident ID number
    project: str | None = None  # a project's name (part of it), code or construction-permit number
    region: str | None = None  # a region code: a city covers its counties, the province all
    received_from: date | None = None  # the day the application reached the authority (China time)
    received_to: date | None = None
    deadline_state: str | None = None  # on_time | warning | overdue | paused | completed_on_time | completed_late
    sort: str | None = None  # -received (newest first, default) | due (soonest due first)
    # The deadline state as the pages show it to the actor (a case refused back to him reads RESUBMIT, not its
    # outcome), not as stored: the pages' search, so that a row never contradicts the filter that found it.
    deadline_as_shown: bool = False


def _words(term: str | None) -> str | None:
    return term.strip() if term and term.strip() else None


def _like(column: Any, term: str) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = column.ilike(contains_pattern(term), escape=LIKE_ESCAPE)
    return clause


def _titles_naming(names: list[str], term: str) -> ColumnElement[bool]:
    """Cases whose title contains the term or one of the names it stands for."""
    return or_(_like(Case.title, term), *(_like(Case.title, name) for name in names))


def _person_clause(term: str) -> ColumnElement[bool]:
    names = list(db.session.scalars(select(Person.name).where(Person.id_number_is(term)).limit(MAX_NAMES)))
    return _titles_naming(names, term)


def _project_clause(term: str) -> ColumnElement[bool]:
    names = list(db.session.scalars(select(Project.name).where(
        or_(Project.code == term, Project.permit_number == term)).limit(MAX_NAMES)))
    return _titles_naming(names, term)


def _applicant_clause(term: str) -> ColumnElement[bool]:
    orgs = select(Organisation.id).where(or_(_like(Organisation.name, term), _like(Organisation.credit_code, term)))
    return Case.applicant_org_id.in_(orgs)


def _region_clause(region: str) -> ColumnElement[bool]:
    if region == PROVINCE_CODE:
        return Case.region_code.is_not(None)
    if region.endswith("00"):
        return Case.region_code.like(region[:4] + "%")
    return Case.region_code == region


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _refused_back_to(actor: Actor) -> ColumnElement[bool]:
    """Cases refused back to their applicant that the actor reads from the applicant's side (presenters'
    case_deadline_state: policy.on_applicant_side of a refused_back case); never NULL, so that it may be negated."""
    side: list[ColumnElement[bool]] = [Case.started_by_id == actor.id]
    if actor.organisation_id is not None:
        side.append(Case.applicant_org_id == actor.organisation_id)
    return and_(Case.status == CaseStatus.WAITING_FOR_APPLICANT, Case.deadline_state.in_(DECIDED_STATES), or_(*side))


def _deadline_clause(actor: Actor, filters: CaseFilter) -> ColumnElement[bool] | None:
    wanted = filters.deadline_state
    if not wanted:
        return None
    if not filters.deadline_as_shown:  # the API: the stored state, as each row's deadline_state reads (a contract)
        return Case.deadline_state == wanted
    if wanted == "overdue":  # as the dashboard's red count: also paused (补正) after the limit had passed
        return overdue_now()
    if wanted == PAUSED:  # those read 超期（暂停计时） instead
        return and_(Case.deadline_state == PAUSED, not_(breached_before_pause()))
    if wanted == RESUBMIT:
        return _refused_back_to(actor)
    if wanted in DECIDED_STATES:  # an outcome, but not where the actor reads 待修改后重新申请 instead
        return and_(Case.deadline_state == wanted, not_(_refused_back_to(actor)))
    return Case.deadline_state == wanted


def cases_query(actor: Actor, filters: CaseFilter) -> Select[Any]:
    """The visible cases the filters select (unordered)."""
    query = select(Case).where(visible_cases(actor))
    equal = {Case.status: filters.status, Case.procedure_key: filters.procedure, Case.number: _words(filters.number)}
    query = query.where(*(column == wanted for column, wanted in equal.items() if wanted))
    deadline = _deadline_clause(actor, filters)
    if deadline is not None:
        query = query.where(deadline)
    if _words(filters.applicant):
        query = query.where(_applicant_clause(str(_words(filters.applicant))))
    if _words(filters.person):
        query = query.where(_person_clause(str(_words(filters.person))))
    if _words(filters.project):
        query = query.where(_project_clause(str(_words(filters.project))))
    if filters.region:
        query = query.where(_region_clause(filters.region))
    if filters.received_from:
        query = query.where(Case.received_at >= _local_start(filters.received_from))
    if filters.received_to:
        query = query.where(Case.received_at < _local_start(filters.received_to + timedelta(days=1)))
    return query


def _order(filters: CaseFilter) -> tuple[Any, ...]:
    if filters.sort == "due":
        return (Case.due_at.is_(None), Case.due_at, Case.id.desc())
    return (Case.id.desc(),)


@dataclass(frozen=True)
class FoundCases:
    """One page of a search as the pages show it: the cases, how many there are in all, and which of the paused
    ones had passed their limit before their clock stopped (超期（暂停计时）, as the overdue filter and the dashboard's
    red board count them; their stored deadline_state, the API's, stays "paused")."""
    cases: list[Case]
    total: int
    paused_late: frozenset[int]


def _paused_late() -> ColumnElement[bool]:
    """Of each row: paused after its limit had passed. The CASE reads the clock for the paused rows only."""
    return case((Case.deadline_state == PAUSED, breached_before_pause()), else_=false())


def _found(actor: Actor, filters: CaseFilter) -> FoundCases:
    """The page; which paused rows were late at their pause only for a search as the pages show it."""
    query = cases_query(actor, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(*_order(filters)).limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
    if not filters.deadline_as_shown:
        return FoundCases(list(db.session.scalars(query)), total, frozenset())
    rows = db.session.execute(query.add_columns(_paused_late().label("paused_late"))).all()
    return FoundCases([row[0] for row in rows], total, frozenset(row[0].id for row in rows if row[1]))


def search_cases(actor: Actor, filters: CaseFilter) -> tuple[list[Case], int]:
    """One page of the visible cases the filters select, and how many there are."""
    found = _found(actor, filters)
    return found.cases, found.total


def search_shown(actor: Actor, filters: CaseFilter) -> FoundCases:
    """One page of the visible cases the filters select, as the pages show them (FoundCases.paused_late, with
    filters.deadline_as_shown)."""
    return _found(actor, filters)


# What an export's audit entry says of its search: the filters, but words that may name a person (a person's name
# or ID number; an applicant, who may be an individual) only as given.
_PERSONAL_FILTERS = frozenset({"person", "applicant"})


def _described(filters: CaseFilter) -> dict[str, Any]:
    described = {key: (value.isoformat() if isinstance(value, date) else value)
                 for key, value in vars(filters).items()
                 if value and key not in ("page", "per_page", "deadline_as_shown")}
    return {key: (True if key in _PERSONAL_FILTERS else value) for key, value in described.items()}


def export_search(actor: Actor, filters: CaseFilter, fmt: str) -> FoundCases:
    """The cases of an export (every page, up to filters.per_page) as the pages show them, the export recorded in
    the audit log with its format, search and row count (no personal data: a person or applicant searched for is
    recorded as given)."""
    found = search_shown(actor, filters)
    audit.record(actor, "cases.exported", "case_search", "", format=fmt, rows=len(found.cases), total=found.total,
                 search=_described(filters))
    return found


def case_limits(case_ids: list[int]) -> dict[int, str]:
    """The limit each case's due_at counts (its committed limit, else its statutory one), e.g. "3 working days"."""
    if not case_ids:
        return {}
    rows = db.session.execute(select(CaseClock.case_id, CaseClock.committed_limit, CaseClock.statutory_limit)
                              .where(CaseClock.case_id.in_(case_ids)))
    return {case_id: str(committed or statutory) for case_id, committed, statutory in rows if committed or statutory}


def search_deadline_states(actor: Actor) -> tuple[str, ...]:
    """The deadline states the pages' search offers: the applicant's side also reads RESUBMIT."""
    applicant = actor.has_role(Role.ENTERPRISE, Role.INDIVIDUAL)
    return (*SEARCH_DEADLINE_STATES, RESUBMIT) if applicant else SEARCH_DEADLINE_STATES


def search_regions(actor: Actor) -> list[Region]:
    """The regions of Guangxi a search may name: an authority's own and those below it; all for applicants."""
    applicant = actor.has_role(Role.ENTERPRISE, Role.INDIVIDUAL)
    regions = db.session.scalars(select(Region).where(Region.code.like(PROVINCE_CODE[:2] + "%")).order_by(Region.code))
    return [r for r in regions if applicant or region_covers(actor.region_code, r.code)]
