"""Read access to the domain records: enterprises, persons (with certificates), projects, locks, performance.

Every query carries the actor's visibility filter from app.policy; a record outside it is "not found".
Changes happen only through procedure handlers or the data exchange, never here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select

from app.db import LIKE_ESCAPE, contains_pattern
from app.errors import Message, NotFound
from app.extensions import db
from app.models import (
    Actor,
    Certificate,
    Organisation,
    PerformanceRecord,
    PerformanceRecordChange,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
)
from app.policy import (
    visible_enterprises,
    visible_locks,
    visible_performance_records,
    visible_persons,
    visible_projects,
)
from app.services.records.identifiers import mask_id_number

T = TypeVar("T")
PERSON_TITLE = "{name}（{id_number}）"
DEREGISTERED_PERSON_TITLE = "{name}（{id_number}，已注销）"


@dataclass(frozen=True)
class RecordFilter:
    q: str | None = None            # name / number contains (each list says which: list_persons ...)
    data_level: str | None = None   # projects
    active: bool | None = None      # locks
    source: str | None = None       # performance records
    page: int = 1
    per_page: int = 20


def _page(query: Select[T], order: Any, filters: RecordFilter) -> tuple[list[T], int]:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(order).limit(filters.per_page)
                              .offset((filters.page - 1) * filters.per_page))
    return list(rows), total


def _like(q: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not q:
        return None
    pattern = contains_pattern(q.strip())
    return or_(*(column.like(pattern, escape=LIKE_ESCAPE) for column in columns))


def _where(query: Select[T], *clauses: ColumnElement[bool] | None) -> Select[T]:
    for clause in clauses:
        if clause is not None:
            query = query.where(clause)
    return query


def _one(query: Select[T], message: str, code: str) -> T:
    row = db.session.scalar(query)
    if row is None:
        raise NotFound(message, code=code)
    return row


# -- enterprises -----------------------------------------------------------------------------------------------
def list_enterprises(actor: Actor, filters: RecordFilter) -> tuple[list[Organisation], int]:
    query = _where(select(Organisation).where(visible_enterprises(actor)),
                   _like(filters.q, Organisation.name, Organisation.credit_code))
    return _page(query, Organisation.id, filters)


def get_enterprise(actor: Actor, enterprise_id: int) -> Organisation:
    return _one(select(Organisation).where(Organisation.id == enterprise_id, visible_enterprises(actor)),
                "未找到该企业", "enterprise_not_found")


# -- persons and certificates ----------------------------------------------------------------------------------
def list_persons(actor: Actor, filters: RecordFilter) -> tuple[list[Person], int]:
    """`filters.q`: in the name or a certificate's number, or the whole ID number (encrypted at rest: found only
    whole, by its keyed hash, as the case search finds it)."""
    query = _where(select(Person).where(visible_persons(actor)), _person_search(filters.q))
    return _page(query, Person.id, filters)


def _person_search(q: str | None) -> ColumnElement[bool] | None:
    if not q:
        return None
    pattern = contains_pattern(q.strip())
    certified = select(Certificate.person_id).where(Certificate.number.like(pattern, escape=LIKE_ESCAPE))
    return or_(Person.name.like(pattern, escape=LIKE_ESCAPE), Person.id.in_(certified),
               Person.id_number_is(q.strip()))


def get_person(actor: Actor, person_id: int) -> Person:
    return _one(select(Person).where(Person.id == person_id, visible_persons(actor)),
                "未找到该人员", "person_not_found")


def person_titles(actor: Actor, person_ids: Iterable[int], *, named_by_case: bool = False) -> dict[int, Message]:
    """Persons chosen in a case, by id, in one statement: "梁海（4501**********0034）", "…，已注销）" once no longer
    in service (no longer among anyone's choices, still named by the case). Only persons the actor may see,
    unless `named_by_case`: the ids come from a stored case's data, which the actor was authorised to read (the
    construction unit reads the contractor's key person its own registration named); others and ids of no
    person are left out."""
    ids = set(person_ids)
    if not ids:
        return {}
    query = select(Person.id, Person.name, Person.id_number, Person.status).where(Person.id.in_(ids))
    rows = db.session.execute(query if named_by_case else query.where(visible_persons(actor)))
    return {row.id: Message(PERSON_TITLE if row.status == PersonStatus.IN_SERVICE else DEREGISTERED_PERSON_TITLE,
                            name=row.name, id_number=mask_id_number(row.id_number)) for row in rows}


def certificates_of(person_ids: list[int]) -> dict[int, list[Certificate]]:
    found: dict[int, list[Certificate]] = {pid: [] for pid in person_ids}
    for cert in db.session.scalars(select(Certificate).where(Certificate.person_id.in_(person_ids))
                                   .order_by(Certificate.id)):
        found[cert.person_id].append(cert)
    return found


# -- projects and locks ----------------------------------------------------------------------------------------
def list_projects(actor: Actor, filters: RecordFilter) -> tuple[list[Project], int]:
    query = _where(select(Project).where(visible_projects(actor)),
                   _like(filters.q, Project.name, Project.code, Project.permit_number),
                   Project.data_level == filters.data_level if filters.data_level else None)
    return _page(query, Project.id, filters)


def get_project(actor: Actor, project_id: int) -> Project:
    return _one(select(Project).where(Project.id == project_id, visible_projects(actor)),
                "未找到该项目", "project_not_found")


def list_locks(actor: Actor, filters: RecordFilter, project_id: int | None = None) -> tuple[list[ProjectLock], int]:
    """`filters.q`: in the locked person's name, the project's name or code (a reviewer asked about one person's
    locks finds them by name, not by paging through the region's)."""
    query = select(ProjectLock).where(visible_locks(actor))
    if filters.q:
        query = _where(query.join(Person, Person.id == ProjectLock.person_id)
                       .join(Project, Project.id == ProjectLock.project_id),
                       _like(filters.q, Person.name, Project.name, Project.code))
    query = _where(query, ProjectLock.active.is_(filters.active) if filters.active is not None else None,
                   ProjectLock.project_id == project_id if project_id is not None else None)
    return _page(query, ProjectLock.id, filters)


# -- performance records ---------------------------------------------------------------------------------------
def list_performance_records(actor: Actor, filters: RecordFilter) -> tuple[list[PerformanceRecord], int]:
    """`filters.q`: in the project's name or the record's number (the national platform's, `record_key`, held by
    the imported ones; the others have none)."""
    query = _where(select(PerformanceRecord).where(visible_performance_records(actor)),
                   _like(filters.q, PerformanceRecord.project_name,
                         PerformanceRecord.fields["record_key"].as_string()),
                   PerformanceRecord.source == filters.source if filters.source else None)
    return _page(query, PerformanceRecord.id, filters)


def get_performance_record(actor: Actor, record_id: int) -> PerformanceRecord:
    return _one(select(PerformanceRecord).where(PerformanceRecord.id == record_id,
                                                visible_performance_records(actor)),
                "未找到该业绩记录", "performance_record_not_found")


def changes_of(record: PerformanceRecord) -> list[PerformanceRecordChange]:
    return list(db.session.scalars(select(PerformanceRecordChange).where(
        PerformanceRecordChange.record_id == record.id).order_by(PerformanceRecordChange.id)))


def organisation_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {org_id: name for org_id, name in db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}
