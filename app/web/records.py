"""The 信息查询 pages: the domain records the user may see, read only (persons with masked ID numbers, personnel
locks, projects, performance records and a record's change history). Every list and record comes from
services/records/lookup.py, which applies the actor's visibility: an enterprise its own, officials their region's,
an individual himself as a person; a record outside it is a 404."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.auth import session_actor
from app.errors import NotAllowed
from app.models import CERTIFICATE_KIND_TITLES, Actor, DataLevel, PersonStatus, RecordSource, Role
from app.models.records.lock import LOCK_ROLE_TITLES
from app.policy import may_read_cases
from app.routing import ID, MAX_ID
from app.services.cases.lifecycle import visible_case_numbers
from app.services.dashboard.scope import region_names
from app.services.deadlines.limits import LOCAL_TZ
from app.services.records import lookup
from app.services.records.identifiers import mask_id_number
from app.web.common import last_page, page_args

bp = Blueprint("records", __name__, url_prefix="/records")
PER_PAGE = 20

# The sections (tabs) of the page, in their order: the data the construction-market platform keeps per kind.
SECTIONS = {"persons": "人员信息", "locks": "人员锁定", "projects": "项目信息", "performance": "业绩信息"}
SEARCH_HINTS = {"persons": "姓名、证书编号或完整身份证号", "projects": "项目名称、项目编号或施工许可证号",
                "performance": "工程名称或全国平台业绩编号",
                "locks": "人员姓名、项目名称或项目编号"}
PERSON_STATUS_TITLES = {PersonStatus.IN_SERVICE: "在职", PersonStatus.DEREGISTERED: "已注销"}
SOURCE_TITLES = {RecordSource.IN_REGION: "区内业绩（企业录入）", RecordSource.IMPORTED: "区外业绩（全国平台导入）",
                 RecordSource.MIGRATED: "诚信平台迁入业绩"}
DATA_LEVEL_TITLES = {DataLevel.A: "A级（已核实）", DataLevel.B: "B级", DataLevel.C: "C级", DataLevel.D: "D级"}
LOCK_STATES = {"1": "锁定中", "0": "已解锁"}
# A performance record's fields as the procedures store them (handlers/performance.py, historical.py, migrated.py,
# commitment.py; the national platform's import), in the order the detail page lists them; another key is
# shown as it is stored.
FIELD_TITLES = {"project_name": "工程名称", "contract_amount": "合同金额（万元）", "completion_date": "竣工日期",
                "project_manager": "项目经理", "construction_unit": "建设单位", "project_scale": "建设规模",
                "location_code": "项目属地", "permit_number": "施工许可证号", "data_level": "数据等级",
                "record_key": "全国平台业绩编号", "entered_on_commitment": "录入办件（入库信息填报）",
                "historical_case": "录入办件（历史业绩补录）", "confirmed_case": "属地确认办件（迁移数据确认）",
                "confirmed_at": "属地确认时间"}


@bp.app_template_global()
def record_sections(actor: Actor) -> list[str]:
    """The sections the actor may find something in (the menu shows the page when there is one): an enterprise
    operator and an official who reads cases see every kind; an individual only himself, as a person (his
    employer, status and certificates: what tells him a deregistration took effect)."""
    if actor.has_role(Role.ENTERPRISE) or may_read_cases(actor):
        return list(SECTIONS)
    if actor.person_id is not None:
        return ["persons"]
    return []


@dataclass(frozen=True)
class Listing:
    """One page of a section: its rows and what its template needs beside them."""

    rows: list[Any]
    total: int
    extra: dict[str, Any]


def _text(args: MultiDict[str, str], name: str) -> str | None:
    return (args.get(name) or "").strip()[:100] or None


def _filters(section: str, args: MultiDict[str, str]) -> tuple[lookup.RecordFilter, int | None]:
    """The section's filters from the query string (what is not one of the known values is ignored), and the
    project whose locks are asked for."""
    level, source, active = args.get("data_level"), args.get("source"), args.get("active")
    project = args.get("project_id") or ""
    filters = lookup.RecordFilter(
        q=_text(args, "q") if section in SEARCH_HINTS else None, per_page=PER_PAGE,
        page=page_args(args.get("page")),
        data_level=level if section == "projects" and level in set(DataLevel) else None,
        source=source if section == "performance" and source in set(RecordSource) else None,
        active={"1": True, "0": False}.get(active or "") if section == "locks" else None)
    project_id = int(project) if section == "locks" and project.isascii() and project.isdigit() \
        and 0 < int(project) <= MAX_ID else None
    return filters, project_id


def _persons(actor: Actor, filters: lookup.RecordFilter, _project: int | None) -> Listing:
    rows, total = lookup.list_persons(actor, filters)
    return Listing(rows, total, {"certificates": lookup.certificates_of([p.id for p in rows])})


def _locks(actor: Actor, filters: lookup.RecordFilter, project_id: int | None) -> Listing:
    rows, total = lookup.list_locks(actor, filters, project_id)
    project = lookup.get_project(actor, project_id) if project_id else None  # another's project: 404
    numbers = visible_case_numbers(actor, (lock.released_by_case_id for lock in rows))
    return Listing(rows, total, {"case_numbers": numbers, "project": project})


def _projects(actor: Actor, filters: lookup.RecordFilter, _project: int | None) -> Listing:
    rows, total = lookup.list_projects(actor, filters)
    return Listing(rows, total, {"regions": region_names() if rows else {}})


def _performance(actor: Actor, filters: lookup.RecordFilter, _project: int | None) -> Listing:
    rows, total = lookup.list_performance_records(actor, filters)
    return Listing(rows, total, {"enterprises": lookup.organisation_names({r.enterprise_id for r in rows})})


LISTINGS: dict[str, Callable[[Actor, lookup.RecordFilter, int | None], Listing]] = {
    "persons": _persons, "locks": _locks, "projects": _projects, "performance": _performance}


def _allowed(actor: Actor, section: str | None = None) -> list[str]:
    sections = record_sections(actor)
    if not sections or (section is not None and section not in sections):
        raise NotAllowed("您没有可查看的此类信息", code="records_not_allowed")
    return sections


@bp.get("", defaults={"section": None})
@bp.get("/<any(persons, locks, projects, performance):section>")
@login_required
def index(section: str | None) -> ResponseReturnValue:
    actor = session_actor()
    sections = _allowed(actor, section)
    section = section or sections[0]
    filters, project_id = _filters(section, request.args)
    listing = LISTINGS[section](actor, filters, project_id)
    if filters.page > last_page(listing.total, PER_PAGE):  # past the end (an old link, a typed number): the last
        filters = replace(filters, page=last_page(listing.total, PER_PAGE))
        listing = LISTINGS[section](actor, filters, project_id)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "records/index.html", section=section, sections=sections, titles=SECTIONS, hint=SEARCH_HINTS.get(section),
        rows=listing.rows, total=listing.total, page=filters.page, per_page=PER_PAGE, filters=filters,
        project_id=project_id, query=query, official=may_read_cases(actor), masked=mask_id_number,
        local_day=local_day, lock_role_titles=LOCK_ROLE_TITLES, lock_states=LOCK_STATES,
        person_status_titles=PERSON_STATUS_TITLES, certificate_titles=CERTIFICATE_KIND_TITLES,
        source_titles=SOURCE_TITLES, level_titles=DATA_LEVEL_TITLES, **listing.extra)


def local_day(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).date().isoformat() if value else "—"


def shown_value(key: str, value: Any, regions: dict[str, str]) -> str:
    """A field's value as the page shows it: a region by its name, a stored time in China time."""
    if value is None or value == "":
        return "—"
    if key == "location_code":
        return regions.get(str(value), str(value))
    if key == "confirmed_at":
        try:
            return datetime.fromisoformat(str(value)).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return str(value)
    return str(value)


def _ordered(keys: Iterable[str]) -> list[str]:
    """Known fields in their order first, then any other in the order stored."""
    keys = list(keys)
    return [k for k in FIELD_TITLES if k in keys] + [k for k in keys if k not in FIELD_TITLES]


@bp.get(f"/performance/<{ID}:record_id>")
@login_required
def performance_record(record_id: int) -> ResponseReturnValue:
    actor = session_actor()
    _allowed(actor, "performance")
    record = lookup.get_performance_record(actor, record_id)  # another enterprise's: 404
    changes = lookup.changes_of(record)
    fields = {k: v for k, v in (record.fields or {}).items() if k != "project_name"}
    regions = region_names()
    rows = [(change, [(key, shown_value(key, change.old_values.get(key), regions),
                       shown_value(key, change.new_values.get(key), regions))
                      for key in _ordered({**change.old_values, **change.new_values})]) for change in changes]
    return render_template(
        "records/performance.html", record=record, titles=SECTIONS, field_titles=FIELD_TITLES,
        fields=[(key, shown_value(key, fields[key], regions)) for key in _ordered(fields)], changes=rows,
        enterprise=lookup.organisation_names({record.enterprise_id}).get(record.enterprise_id, ""),
        case_numbers=visible_case_numbers(actor, (c.case_id for c in changes)), source_titles=SOURCE_TITLES)
