"""事中事后抽查, the draws made (公开): who may see a stored draw (the reviewers of its region, the province all),
the draw with its seed, parameters, population and items, and its verification: the draw recomputed from what it
keeps (`plan_draw` over the kept population, seed and size) must give the items and strata stored."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.errors import NotFound
from app.extensions import db
from app.models import Actor, SpotCheckDraw, SpotCheckItem
from app.policy import region_scope
from app.services.records.spot_checks import ensure_may_draw, plan_draw, population_candidates

LIST_LIMIT = 100


@dataclass
class StoredDraw:
    record: SpotCheckDraw
    items: list[SpotCheckItem]
    verified: bool | None  # None: drawn before draws kept their population, so not recomputable

    @property
    def population_rows(self) -> list[dict[str, Any]]:
        return [{"enterprise_id": ent, "stratum": stratum, "item_refs": refs}
                for ent, stratum, refs in self.record.population or ()]


def verify(record: SpotCheckDraw, items: list[SpotCheckItem]) -> bool | None:
    """The draw recomputed from its kept population, seed and size gives the stored strata and items (in order)."""
    if record.population is None:
        return None
    plan = plan_draw(population_candidates(record.population), record.seed, record.sample_size)
    return plan.strata == record.strata and [(p.enterprise_id, p.stratum, p.item_ref) for p in plan.items] == [
        (i.enterprise_id, i.stratum, i.item_ref) for i in items]


def _visible(actor: Actor) -> Any:
    return region_scope(SpotCheckDraw.region_code, actor.region_code)


def get_draw(actor: Actor, draw_id: int) -> StoredDraw:
    """A draw of the actor's region (403 for anyone who does not draw spot checks, 404 outside his region)."""
    ensure_may_draw(actor)
    record = db.session.scalar(select(SpotCheckDraw).where(SpotCheckDraw.id == draw_id, _visible(actor)))
    if record is None:
        raise NotFound("未找到该抽查记录", code="spot_check_draw_not_found")
    items = list(db.session.scalars(select(SpotCheckItem).where(SpotCheckItem.draw_id == record.id)
                                    .order_by(SpotCheckItem.id)))
    return StoredDraw(record, items, verify(record, items))


def list_draws(actor: Actor, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """The draws of the actor's region, newest first, each with its parameters and how many items it drew."""
    ensure_may_draw(actor)
    drawn = (select(SpotCheckItem.draw_id, func.count().label("drawn")).group_by(SpotCheckItem.draw_id)
             .subquery())
    rows = db.session.execute(
        select(SpotCheckDraw.id, SpotCheckDraw.region_code, SpotCheckDraw.seed, SpotCheckDraw.sample_size,
               SpotCheckDraw.exclude_months, SpotCheckDraw.drawn_at, SpotCheckDraw.drawn_by,
               func.coalesce(drawn.c.drawn, 0).label("drawn"))
        .outerjoin(drawn, drawn.c.draw_id == SpotCheckDraw.id).where(_visible(actor))
        .order_by(SpotCheckDraw.drawn_at.desc(), SpotCheckDraw.id.desc()).limit(limit))
    return [dict(row._mapping) for row in rows]
