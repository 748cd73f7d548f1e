"""诚信综合评价: the integrity ledger (entries are only added; the score at a date is their sum) and the good and
bad behaviour records. Handlers add entries with their source case; the API and pages read them through the
actor's visibility. Every new entry and record is queued for the public-resource trading platform."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from app.db import LIKE_ESCAPE, contains_pattern, utcnow
from app.errors import InvalidForm, Message, NotFound
from app.extensions import db
from app.integrations.outbox import enqueue
from app.models import (
    Actor,
    BehaviourKind,
    BehaviourRecord,
    Case,
    IntegrityEntry,
    LedgerSource,
    Organisation,
)
from app.models.records.integrity import CENTI
from app.policy import visible_enterprises
from app.services.deadlines.limits import LOCAL_TZ

SYSTEM = "系统"
MAX_POINTS = Decimal("100")  # one entry moves the score by at most this much
TRADING_SCORE_KIND = "trading_platform.integrity_score"
TRADING_BEHAVIOUR_KIND = "trading_platform.behaviour_record"
# A counter-entry's reason (stored in Chinese; the English pages read it by this template: app/web/stored_texts.py).
CORRECTION_REASON = "更正第 {entry} 条：{reason}"


def today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def to_centi(points: Decimal | str | int | float) -> int:
    """Points (two decimals at most, |points| <= 100, not zero) as hundredths."""
    try:
        value = Decimal(str(points))
    except InvalidOperation as exc:
        raise InvalidForm({"points": "分值应为数字"}) from exc
    if not value.is_finite() or value != value.quantize(CENTI) or value == 0 or abs(value) > MAX_POINTS:
        raise InvalidForm({"points": Message("分值应为非零数字，最多两位小数，绝对值不超过 {max}", max=MAX_POINTS)})
    return int(value / CENTI)


def score_at(enterprise_id: int, on: date | None = None) -> Decimal:
    """The score on a date (default today): the sum of the entries effective on or before it."""
    total = db.session.scalar(select(func.coalesce(func.sum(IntegrityEntry.points_centi), 0)).where(
        IntegrityEntry.enterprise_id == enterprise_id, IntegrityEntry.effective_on <= (on or today())))
    return (Decimal(int(total or 0)) * CENTI).quantize(CENTI)


def _case_number(case_id: int | None) -> str | None:
    return db.session.scalar(select(Case.number).where(Case.id == case_id)) if case_id else None


def _who(actor: Actor | None) -> tuple[int | None, str]:
    return (actor.id, actor.display_name) if actor is not None else (None, SYSTEM)


def add_entry(enterprise_id: int, points: Decimal | str | int, reason: str, source: str, *,
              actor: Actor | None = None, case_id: int | None = None, effective_on: date | None = None,
              corrects_entry_id: int | None = None) -> IntegrityEntry:
    """Add one entry (never change one: a correction is a counter-entry) and queue it with the new score for the
    trading platform (enterprises without a credit code are unknown there: nothing is queued)."""
    who_id, who = _who(actor)
    entry = IntegrityEntry(enterprise_id=enterprise_id, points_centi=to_centi(points), reason=reason[:500],
                           source=LedgerSource(source), source_case_id=case_id, effective_on=effective_on or today(),
                           corrects_entry_id=corrects_entry_id, recorded_by_id=who_id, recorded_by=who)
    db.session.add(entry)
    db.session.flush()
    enterprise = db.session.get(Organisation, enterprise_id)
    if enterprise is not None and enterprise.credit_code:  # the trading platform knows enterprises by credit code
        enqueue(TRADING_SCORE_KIND, {
            "credit_code": enterprise.credit_code, "entry_id": entry.id, "points": str(entry.points),
            "score": str(score_at(enterprise_id, entry.effective_on)), "reason": entry.reason, "source": entry.source,
            "effective_on": entry.effective_on.isoformat(), "recorded_by": entry.recorded_by,
            "case_number": _case_number(case_id)}, f"integrity-entry-{entry.id}", case_id,
            aggregate=f"enterprise:{enterprise_id}")
    return entry


def correct_entry(entry_id: int, reason: str, actor: Actor | None = None) -> IntegrityEntry:
    """Undo an entry by a counter-entry of the opposite points (the original stays in the ledger)."""
    original = db.session.get(IntegrityEntry, entry_id)
    if original is None:
        raise NotFound("未找到该诚信分记录", code="integrity_entry_not_found")
    return add_entry(original.enterprise_id, -original.points,
                     CORRECTION_REASON.format(entry=original.id, reason=reason), LedgerSource.CORRECTION, actor=actor,
                     case_id=original.source_case_id, corrects_entry_id=original.id)


def add_behaviour(enterprise_id: int, kind: str, title: str, source: str, *, description: str | None = None,
                  actor: Actor | None = None, case_id: int | None = None, occurred_on: date | None = None,
                  entry: IntegrityEntry | None = None) -> BehaviourRecord:
    """A good or bad behaviour record with its source; queued for the trading platform."""
    who_id, who = _who(actor)
    record = BehaviourRecord(enterprise_id=enterprise_id, kind=BehaviourKind(kind), title=title[:200],
                             description=description, source=source, source_case_id=case_id,
                             occurred_on=occurred_on or today(), integrity_entry_id=entry.id if entry else None,
                             recorded_by_id=who_id, recorded_by=who)
    db.session.add(record)
    db.session.flush()
    enterprise = db.session.get(Organisation, enterprise_id)
    if enterprise is not None and enterprise.credit_code:
        enqueue(TRADING_BEHAVIOUR_KIND, {
            "credit_code": enterprise.credit_code, "kind": record.kind, "title": record.title,
            "description": (description or "")[:2000] or None, "decided_by": who[:100],
            "decided_at": record.occurred_on.isoformat(), "valid_until": None, "case_number": _case_number(case_id)},
            f"behaviour-record-{record.id}", case_id, aggregate=f"enterprise:{enterprise_id}")
    return record


@dataclass
class LedgerLine:
    entry: IntegrityEntry
    balance: Decimal  # the score after this entry (entries in effective order)


@dataclass
class IntegrityView:
    enterprise: Organisation
    on: date
    score: Decimal
    lines: list[LedgerLine]
    behaviours: list[BehaviourRecord]


def integrity_of(actor: Actor, enterprise_id: int, on: date | None = None) -> IntegrityView:
    """An enterprise's score on a date with the ledger up to it and its behaviour records; outside the actor's
    view: not found."""
    enterprise = db.session.scalar(select(Organisation).where(Organisation.id == enterprise_id,
                                                              visible_enterprises(actor)))
    if enterprise is None:
        raise NotFound("未找到该企业", code="enterprise_not_found")
    day = on or today()
    entries = db.session.scalars(select(IntegrityEntry).where(
        IntegrityEntry.enterprise_id == enterprise_id, IntegrityEntry.effective_on <= day)
        .order_by(IntegrityEntry.effective_on, IntegrityEntry.id))
    lines, balance = [], Decimal("0.00")
    for entry in entries:
        balance += entry.points
        lines.append(LedgerLine(entry, balance.quantize(CENTI)))
    behaviours = list(db.session.scalars(select(BehaviourRecord).where(
        BehaviourRecord.enterprise_id == enterprise_id, BehaviourRecord.occurred_on <= day)
        .order_by(BehaviourRecord.occurred_on.desc(), BehaviourRecord.id.desc())))
    return IntegrityView(enterprise, day, balance.quantize(CENTI), lines, behaviours)


def scores_of(actor: Actor, on: date | None = None, q: str | None = None, page: int = 1,
              per_page: int = 50) -> tuple[list[tuple[Organisation, Decimal]], int]:
    """One page of the enterprises the actor sees (by name or credit code containing `q`) with their scores on a
    date, and how many there are: a grouped statement and a count."""
    day = on or today()
    wanted = [visible_enterprises(actor)]
    if q and q.strip():
        pattern = contains_pattern(q.strip())
        wanted.append(or_(Organisation.name.like(pattern, escape=LIKE_ESCAPE),
                          Organisation.credit_code.like(pattern, escape=LIKE_ESCAPE)))
    total = db.session.scalar(select(func.count()).select_from(Organisation).where(*wanted)) or 0
    totals = (select(IntegrityEntry.enterprise_id, func.sum(IntegrityEntry.points_centi).label("total"))
              .where(IntegrityEntry.effective_on <= day).group_by(IntegrityEntry.enterprise_id).subquery())
    rows = db.session.execute(select(Organisation, totals.c.total)
                              .outerjoin(totals, totals.c.enterprise_id == Organisation.id)
                              .where(*wanted).order_by(Organisation.id)
                              .limit(per_page).offset((page - 1) * per_page))
    return [(org, (Decimal(int(total or 0)) * CENTI).quantize(CENTI)) for org, total in rows], total
