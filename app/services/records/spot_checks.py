"""事中事后抽查: a city or the province draws enterprises' self-entered items at random, reproducibly from a seed,
stratified by enterprise type and city, excluding enterprises checked in the last N months; one `spot_check`
case inspects each drawn item.

The plan is a pure function of the population, the exclusions, the seed and the size (`plan_draw`), so a draw
can be previewed (dry run) and repeated by anyone holding its parameters."""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import InvalidForm, NotAllowed
from app.extensions import db
from app.models import (
    Actor,
    Case,
    EnterpriseEntry,
    EntryStatus,
    Organisation,
    OrganisationKind,
    PerformanceRecord,
    PublicNotice,
    RecordSource,
    Region,
    Role,
    SpotCheckDraw,
    SpotCheckItem,
)
from app.policy import region_scope
from app.services.cases.lifecycle import start_case

PROCEDURE = "spot_check"
CHECKER_ROLES = (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER)
MAX_SAMPLE = 50
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    stratum: str
    items: tuple[tuple[str, str], ...]  # (ref, title), sorted by ref


@dataclass
class PlannedItem:
    enterprise_id: int
    stratum: str
    item_ref: str
    item_title: str


@dataclass
class DrawPlan:
    seed: str
    sample_size: int
    strata: dict[str, dict[str, int]] = field(default_factory=dict)
    items: list[PlannedItem] = field(default_factory=list)


def _allocate(sizes: dict[str, int], size: int, rng: random.Random) -> dict[str, int]:
    """How many to draw from each stratum: one each first (strata chosen at random when there are more strata
    than the sample), the rest in proportion to the strata's sizes (largest remainder), never above a size."""
    keys = sorted(sizes)
    quota = dict.fromkeys(keys, 0)
    for key in (rng.sample(keys, size) if size < len(keys) else keys):
        quota[key] = 1
    left = min(size, sum(sizes.values())) - sum(quota.values())
    while left > 0:
        room = {k: sizes[k] - quota[k] for k in keys if sizes[k] > quota[k]}
        total = sum(room.values())
        shares = {k: left * room[k] / total for k in room}
        grant = {k: min(int(shares[k]), room[k]) for k in room}
        if not sum(grant.values()):  # a remainder only: the largest fractions first, ties by key
            for k in sorted(room, key=lambda k: (-(shares[k] - int(shares[k])), k))[:left]:
                grant[k] = 1
        for k, n in grant.items():
            quota[k] += n
        left -= sum(grant.values())
    return quota


def plan_draw(candidates: list[Candidate], seed: str, size: int) -> DrawPlan:
    """The draw: a pure function of its inputs (candidates in any order)."""
    rng = random.Random(f"gjy-spot-check:{seed}")
    by_stratum: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.enterprise_id):
        by_stratum[candidate.stratum].append(candidate)
    quota = _allocate({k: len(v) for k, v in by_stratum.items()}, size, rng)
    plan = DrawPlan(seed=seed, sample_size=size)
    for key in sorted(by_stratum):
        chosen = rng.sample(by_stratum[key], quota[key])
        plan.strata[key] = {"population": len(by_stratum[key]), "drawn": quota[key]}
        for candidate in sorted(chosen, key=lambda c: c.enterprise_id):
            ref, title = rng.choice(candidate.items)
            plan.items.append(PlannedItem(candidate.enterprise_id, key, ref, title))
    return plan


def recently_checked(since: datetime) -> set[int]:
    return set(db.session.scalars(select(SpotCheckItem.enterprise_id).where(SpotCheckItem.drawn_at >= since)))


ENTRY_CATEGORY_TITLES = {"basic": "企业基本信息", "qualification": "资质资格", "personnel": "人员信息",
                         "finance": "财务信息", "performance": "投标业绩", "good_behaviour": "良好行为记录",
                         "tax": "纳税信息"}
# The field that names an entry of each kind, for the inspector (what to verify), first found wins.
_ENTRY_NAMES = ("name", "qualification", "project_name", "title", "year", "certificate_number")


def entry_title(category: str, data: Any) -> str:
    """承诺制录入信息：人员信息（黄敏）: what kind of data, and which (the category's code and the entry's id meant
    nothing to the inspector)."""
    kind = ENTRY_CATEGORY_TITLES.get(category, category)
    named = next((str(data[key]) for key in _ENTRY_NAMES if isinstance(data, dict) and data.get(key)), "")
    return f"承诺制录入信息：{kind}（{named[:60]}）" if named else f"承诺制录入信息：{kind}"


def candidates(region: str, excluded: set[int]) -> list[Candidate]:
    """In-region enterprises of the region with self-entered items (in-region performance records, entries in
    force on commitment), each with those items; those in `excluded` are left out."""
    enterprises = {org.id: org for org in db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.ENTERPRISE, Organisation.in_region.is_(True),
        region_scope(Organisation.region_code, region)))}
    items: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for record in db.session.execute(select(PerformanceRecord.id, PerformanceRecord.enterprise_id,
                                            PerformanceRecord.project_name).where(
            PerformanceRecord.source == RecordSource.IN_REGION, PerformanceRecord.enterprise_id.in_(enterprises))):
        items[record.enterprise_id].append((f"performance:{record.id}", f"区内业绩：{record.project_name}"))
    for entry in db.session.execute(select(EnterpriseEntry.id, EnterpriseEntry.enterprise_id,
                                           EnterpriseEntry.category, EnterpriseEntry.data).where(
            EnterpriseEntry.status == EntryStatus.EFFECTIVE, EnterpriseEntry.source == "commitment",
            EnterpriseEntry.enterprise_id.in_(enterprises))):
        items[entry.enterprise_id].append((f"entry:{entry.id}", entry_title(entry.category, entry.data)))
    return [Candidate(org_id, f"{org.enterprise_type or '其他'}·{org.region_code[:4]}00", tuple(sorted(items[org_id])))
            for org_id, org in enterprises.items() if items[org_id] and org_id not in excluded]


@dataclass
class DrawResult:
    plan: DrawPlan
    excluded: list[int]
    draw: SpotCheckDraw | None = None
    case_ids: list[int] = field(default_factory=list)


def ensure_may_draw(actor: Actor) -> None:
    """Only city and province reviewers (of an authority of a city or the province) draw spot checks."""
    if not actor.has_role(*CHECKER_ROLES) or actor.organisation_kind != OrganisationKind.AUTHORITY \
            or not actor.region_code.endswith("00"):
        raise NotAllowed("只有设区市和自治区住房城乡建设主管部门可以组织抽查", code="spot_check_not_allowed")


def _check_parameters(actor: Actor, sample_size: int, exclude_months: int) -> None:
    ensure_may_draw(actor)
    errors = {}
    if not 1 <= sample_size <= MAX_SAMPLE:
        errors["sample_size"] = f"抽查数量应在 1 至 {MAX_SAMPLE} 之间"
    if not 0 <= exclude_months <= 36:
        errors["exclude_months"] = "排除近期已抽查企业的月数应在 0 至 36 之间"
    if errors:
        raise InvalidForm(errors)


def draw(actor: Actor, sample_size: int, exclude_months: int = 6, seed: str | None = None,
         dry_run: bool = False, now: datetime | None = None) -> DrawResult:
    """Draw in the actor's region (a city: its enterprises; the province: all); unless a dry run, store the draw
    and start one spot_check case per item, claimed by the actor's authority."""
    _check_parameters(actor, sample_size, exclude_months)
    moment = now or utcnow()
    seed = seed or secrets.token_hex(8)
    excluded = recently_checked(moment - timedelta(days=DAYS_PER_MONTH * exclude_months)) if exclude_months else set()
    pool = candidates(actor.region_code, set())
    excluded &= {c.enterprise_id for c in pool}  # those of this population only
    plan = plan_draw([c for c in pool if c.enterprise_id not in excluded], seed, sample_size)
    result = DrawResult(plan, sorted(excluded))
    if dry_run:
        return result
    record = SpotCheckDraw(region_code=actor.region_code, seed=seed, sample_size=sample_size,
                           exclude_months=exclude_months, strata=plan.strata, excluded=sorted(excluded),
                           drawn_at=moment, drawn_by_id=actor.id, drawn_by=actor.display_name)
    db.session.add(record)
    db.session.flush()
    result.draw = record
    for planned in plan.items:
        item = SpotCheckItem(draw_id=record.id, enterprise_id=planned.enterprise_id, stratum=planned.stratum,
                             item_ref=planned.item_ref, item_title=planned.item_title, drawn_at=moment)
        db.session.add(item)
        db.session.flush()
        case = start_case(actor, PROCEDURE, {"item_id": item.id})
        result.case_ids.append(case.id)
    return result


def names_for(result: DrawResult) -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    """For a draw's page: the enterprises' names (drawn and excluded), the started cases' numbers and the
    strata's labels (enterprise type · city name)."""
    ids = {item.enterprise_id for item in result.plan.items} | set(result.excluded)
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
                 .all()) if ids else {}
    numbers = dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(result.case_ids)))
                   .all()) if result.case_ids else {}
    regions = dict(db.session.execute(select(Region.code, Region.name)).all())
    strata = {key: f"{key.partition('·')[0]} · {regions.get(key.partition('·')[2], key.partition('·')[2])}"
              for key in result.plan.strata}
    return names, numbers, strata


def list_notices(limit: int = 100) -> list[PublicNotice]:
    """Published 通报批评 notices, newest first: public, as a published notice is."""
    return list(db.session.scalars(select(PublicNotice).order_by(PublicNotice.published_at.desc(),
                                                                 PublicNotice.id.desc()).limit(limit)))
