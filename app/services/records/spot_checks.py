"""事中事后抽查: a city or the province draws enterprises' self-entered items at random, reproducibly from a seed,
stratified by enterprise type and city, excluding enterprises checked in the last N months; one `spot_check`
case inspects each drawn item.

The plan is a pure function of the population, the seed and the size (`plan_draw`). 双随机一公开: the reviewer
who draws must not choose the outcome, so a real draw's seed is made here, unpredictable (a seed he chose was
refused: he could preview seeds until an enterprise was in or out, then draw with that one); the draw keeps its
seed, parameters and population, so anyone who may see it recomputes it (spot_check_draws.py), and every draw
and every preview is audited (who, parameters, seed, sample)."""
from __future__ import annotations

import random
import secrets
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import InvalidForm, Message, NotAllowed, RuleViolation
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
from app.services import audit
from app.services.cases.lifecycle import start_case

PROCEDURE = "spot_check"
CHECKER_ROLES = (Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER)
MAX_SAMPLE = 50
SAMPLE_SIZE_RANGE = "抽查数量应在 1 至 {max} 之间"  # a Message template: the English pages look it up
DAYS_PER_MONTH = 30
# Letters only: 32 of them are ~182 bits, and no run of digits the audit log would mask as a phone number.
SEED_ALPHABET = string.ascii_letters
SEED_LENGTH = 32
SEED_REFUSED = "正式抽取的随机种子由系统生成，不能自行指定；指定的随机种子只能用于预览"
# An item's title (stored in Chinese, in the item and in its case's title; the English pages read it by these
# templates: app/web/stored_texts.py).
IN_REGION_ITEM = "区内业绩：{project}"
ENTRY_ITEM, ENTRY_ITEM_UNNAMED = "承诺制录入信息：{category}（{name}）", "承诺制录入信息：{category}"


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
    return ENTRY_ITEM.format(category=kind, name=named[:60]) if named else ENTRY_ITEM_UNNAMED.format(category=kind)


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
        items[record.enterprise_id].append(
            (f"performance:{record.id}", IN_REGION_ITEM.format(project=record.project_name)))
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
    region_code: str = ""
    exclude_months: int = 0
    draw: SpotCheckDraw | None = None
    case_ids: list[int] = field(default_factory=list)


def new_seed() -> str:
    """A real draw's seed: from the operating system's CSPRNG, so that nobody can foresee or choose the sample."""
    return "".join(secrets.choice(SEED_ALPHABET) for _ in range(SEED_LENGTH))


def population_snapshot(pool: list[Candidate]) -> list[list[Any]]:
    """What a draw was drawn from, as kept with it: [[enterprise id, stratum, [item refs]], ...] by enterprise
    (the titles do not take part in the draw: the refs' order does)."""
    return [[c.enterprise_id, c.stratum, [ref for ref, _ in c.items]]
            for c in sorted(pool, key=lambda c: c.enterprise_id)]


def population_candidates(snapshot: list[Any]) -> list[Candidate]:
    return [Candidate(int(ent), str(stratum), tuple((str(ref), "") for ref in sorted(refs)))
            for ent, stratum, refs in snapshot]


def ensure_may_draw(actor: Actor) -> None:
    """Only city and province reviewers (of an authority of a city or the province) draw spot checks."""
    if not actor.has_role(*CHECKER_ROLES) or actor.organisation_kind != OrganisationKind.AUTHORITY \
            or not actor.region_code.endswith("00"):
        raise NotAllowed("只有设区市和自治区住房城乡建设主管部门可以组织抽查", code="spot_check_not_allowed")


def _check_parameters(actor: Actor, sample_size: int, exclude_months: int, seed: str | None, dry_run: bool) -> None:
    ensure_may_draw(actor)
    errors: dict[str, str] = {}
    if not 1 <= sample_size <= MAX_SAMPLE:
        errors["sample_size"] = Message(SAMPLE_SIZE_RANGE, max=MAX_SAMPLE)
    if not 0 <= exclude_months <= 36:
        errors["exclude_months"] = "排除近期已抽查企业的月数应在 0 至 36 之间"
    if errors:
        raise InvalidForm(errors)
    if seed is not None and not dry_run:
        raise RuleViolation(SEED_REFUSED, code="spot_check_seed_refused", details={"fields": {"seed": SEED_REFUSED}})


def draw(actor: Actor, sample_size: int, exclude_months: int = 6, seed: str | None = None,
         dry_run: bool = False, now: datetime | None = None) -> DrawResult:
    """Draw in the actor's region (a city: its enterprises; the province: all). A dry run (a preview) may be given
    a seed, to see what a seed gives; a real draw's seed is always made here (`seed` refused), and the draw is
    stored with its population and one spot_check case started per item, claimed by the actor's authority."""
    _check_parameters(actor, sample_size, exclude_months, seed, dry_run)
    moment = now or utcnow()
    excluded = recently_checked(moment - timedelta(days=DAYS_PER_MONTH * exclude_months)) if exclude_months else set()
    pool = candidates(actor.region_code, set())
    excluded &= {c.enterprise_id for c in pool}  # those of this population only
    pool = [c for c in pool if c.enterprise_id not in excluded]
    plan = plan_draw(pool, seed or new_seed(), sample_size)
    result = DrawResult(plan, sorted(excluded), actor.region_code, exclude_months)
    if dry_run:
        _audit_preview(actor, result, seed_chosen=seed is not None)
        return result
    record = SpotCheckDraw(region_code=actor.region_code, seed=plan.seed, sample_size=sample_size,
                           exclude_months=exclude_months, strata=plan.strata, excluded=sorted(excluded),
                           population=population_snapshot(pool), drawn_at=moment, drawn_by_id=actor.id,
                           drawn_by=actor.display_name)
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
    _audit_draw(actor, result, record)
    return result


def _parameters(result: DrawResult) -> dict[str, Any]:
    return {"region_code": result.region_code, "sample_size": result.plan.sample_size,
            "exclude_months": result.exclude_months, "seed": result.plan.seed, "excluded": result.excluded}


def _audit_preview(actor: Actor, result: DrawResult, seed_chosen: bool) -> None:
    """A preview leaves a trace too: who looked at which sample, with which parameters and seed."""
    audit.record(actor, "spot_check.previewed", "spot_check_draw", "", **_parameters(result), seed_chosen=seed_chosen,
                 enterprise_ids=[item.enterprise_id for item in result.plan.items])


def _audit_draw(actor: Actor, result: DrawResult, record: SpotCheckDraw) -> None:
    """The draw as it was made: who, parameters, seed, strata, the drawn items and the cases started."""
    audit.record(actor, "spot_check.drawn", "spot_check_draw", record.id, **_parameters(result),
                 strata=result.plan.strata, population=len(record.population or ()),
                 items=[{"enterprise_id": item.enterprise_id, "item_ref": item.item_ref} for item in result.plan.items],
                 case_ids=result.case_ids)


def names_for(result: DrawResult) -> tuple[dict[int, str], dict[int, str], dict[str, str]]:
    """For a draw's page: the enterprises' names (drawn and excluded), the started cases' numbers and the
    strata's labels (enterprise type · city name)."""
    return labels({item.enterprise_id for item in result.plan.items} | set(result.excluded), result.case_ids,
                  result.plan.strata)


def labels(enterprise_ids: set[int], case_ids: list[int], strata: dict[str, Any]) -> tuple[
        dict[int, str], dict[int, str], dict[str, str]]:
    """The enterprises' names, the cases' numbers and the strata's labels (enterprise type · city name)."""
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(enterprise_ids))).all()) if enterprise_ids else {}
    numbers = dict(db.session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids)))
                   .all()) if case_ids else {}
    regions = dict(db.session.execute(select(Region.code, Region.name)).all())
    # Messages: the kind reads in the page's language (the region's name is a name)
    labelled: dict[str, str] = {key: Message("{kind} · {region}", kind=Message(key.partition("·")[0]),
                                             region=regions.get(key.partition("·")[2], key.partition("·")[2]))
                                for key in strata}
    return names, numbers, labelled


def region_name(code: str) -> str:
    return db.session.scalar(select(Region.name).where(Region.code == code)) or code


def list_notices(limit: int = 100) -> list[PublicNotice]:
    """Published 通报批评 notices, newest first: public, as a published notice is."""
    return list(db.session.scalars(select(PublicNotice).order_by(PublicNotice.published_at.desc(),
                                                                 PublicNotice.id.desc()).limit(limit)))
