"""迁移数据确认 (migrated_data_confirmation): the data migrated from the old integrity platform (three years of
finances, awards, performance, the integrity score, some out-of-region personnel) are shown to the enterprise,
which completes each migrated performance record and confirms its 属地; confirmed records become usable for bids.
Nothing is re-entered: the other migrated data stand as they came."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.db import utcnow
from app.errors import Message, RuleViolation
from app.models import EnterpriseEntry, PerformanceRecord, PerformanceRecordChange, RecordSource
from app.services.cases import subjects
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records import integrity
from handlers import choices, handler, validator
from handlers.rules import FieldRefusal, region_error

PROCEDURE = "migrated_data_confirmation"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "迁移数据确认：{count} 项迁入业绩"
# A case's 异常 when the handler finds the data changed since the form was checked (a ValueError: the step fails)
NOT_CONFIRMABLE = "迁入业绩 {record} 已不能确认"
COMPLETABLE = ("contract_amount", "completion_date", "project_manager", "construction_unit")
REQUIRED = ("contract_amount", "completion_date")


def unconfirmed_migration(record: PerformanceRecord) -> bool:
    """A record migrated from the old platform whose 属地 the enterprise has not confirmed yet: only 迁移数据确认
    changes it. Once confirmed it is an in-region record like the others (入库信息填报, 投标业绩修改)."""
    return record.source == RecordSource.MIGRATED and not (record.fields or {}).get("confirmed_case")


@choices("migrated.unconfirmed_records")
def unconfirmed_records(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The enterprise's migrated performance records not confirmed yet (and those the case already names)."""
    org_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    named = {int(i) for i in (ctx.case.data.get("record_ids") or [])} if ctx.case is not None else set()
    rows = ctx.session.scalars(select(PerformanceRecord).where(
        PerformanceRecord.enterprise_id == org_id, PerformanceRecord.source == RecordSource.MIGRATED)
        .order_by(PerformanceRecord.id))
    return [(r.id, Message("{name}（待确认属地）", name=r.project_name) if unconfirmed_migration(r)
             else Message("{name}（已确认属地）", name=r.project_name)) for r in rows
            if unconfirmed_migration(r) or r.id in named]


@choices("migrated.case_records")
def case_records(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The records this case confirms, by name: the page never shows a record's number, so none is typed."""
    ids = [int(i) for i in (ctx.case.data.get("record_ids") or [])] if ctx.case is not None else []
    rows = ctx.session.execute(select(PerformanceRecord.id, PerformanceRecord.project_name)
                               .where(PerformanceRecord.id.in_(ids)).order_by(PerformanceRecord.id))
    return [(row.id, row.project_name) for row in rows]


def _summary(ctx: HandlerContext) -> dict[str, Any]:
    """What else was migrated, shown with the case (read only)."""
    counts = dict(ctx.session.execute(select(EnterpriseEntry.category, func.count(EnterpriseEntry.id)).where(
        EnterpriseEntry.enterprise_id == ctx.case.applicant_org_id, EnterpriseEntry.source == "migrated")
        .group_by(EnterpriseEntry.category)).all())
    return {"finance_years": counts.get("migrated_finance", 0), "awards": counts.get("migrated_award", 0),
            "personnel": counts.get("migrated_personnel", 0),
            "integrity_score": str(integrity.score_at(ctx.case.applicant_org_id))}


@handler("migrated.check_start", provides=("migrated_summary",))
def check_start(ctx: HandlerContext) -> None:
    """Only the enterprise's own unconfirmed migrated records; one open confirmation per record."""
    ids = [int(i) for i in ctx.data.get("record_ids") or []]
    records = []
    for record_id in ids:
        record = ctx.session.get(PerformanceRecord, record_id)
        if record is None or record.enterprise_id != ctx.case.applicant_org_id:
            raise RuleViolation("只能确认本企业的迁入业绩", code="record_not_own")
        if record.source != RecordSource.MIGRATED:
            raise RuleViolation(Message("“{name}”不是诚信平台迁入的业绩", name=record.project_name),
                                code="record_not_migrated")
        if not unconfirmed_migration(record):
            raise RuleViolation(Message("“{name}”已确认，无需再次确认", name=record.project_name),
                                code="record_already_confirmed")
        records.append(record)
    subjects.claim(ctx.case, PROCEDURE, [f"record:{i}" for i in ids], "所选业绩已有办理中的确认（{number}）")
    ctx.case.title = TITLE.format(count=len(ids))
    ctx.data["migrated_summary"] = _summary(ctx)
    # The confirmation form opens with what was migrated (the applicant completes and corrects it, rather than
    # confirming values it never saw and learning what is missing one refusal at a time).
    ctx.data["records"] = [_migrated_values(record) for record in records]
    ctx.case.data = dict(ctx.data)


def _migrated_values(record: PerformanceRecord) -> dict[str, Any]:
    fields = record.fields or {}
    return {"record_id": record.id, **{name: str(fields[name]) for name in ("location_code", *COMPLETABLE)
                                       if fields.get(name) not in (None, "")}}


def _record_errors(ctx: HandlerContext, index: int, item: dict[str, Any], record: PerformanceRecord) -> dict[str, str]:
    key = f"records.{index}"
    location = str(item.get("location_code") or "")
    if not location.startswith("45"):
        raise FieldRefusal(f"{key}.location_code",
                           "迁入业绩为区内业绩，属地应为广西的行政区划；区外业绩以全国平台导入的为准",
                           code="out_of_region_performance", details={"index": index})
    if message := region_error(ctx.session, location):
        return {f"{key}.location_code": message}
    have = {**(record.fields or {}), **{k: v for k, v in item.items() if v not in (None, "")}}
    return {f"{key}.{name}": "迁入数据缺少此项，请补充" for name in REQUIRED if not have.get(name)}


@validator("migrated.check_confirm")
def check_confirm(ctx: HandlerContext) -> dict[str, str]:
    """Each record of the case once, completed and with a Guangxi 属地; the other migrated data confirmed."""
    wanted = [int(i) for i in ctx.case.data.get("record_ids") or []]
    items = list(ctx.data.get("records") or [])
    errors: dict[str, str] = {}
    if sorted(int(i.get("record_id") or 0) for i in items) != sorted(wanted):
        errors["records"] = "请逐项确认本次选择的每一项迁入业绩，每项一次"
    for index, item in enumerate(items):
        record = ctx.session.get(PerformanceRecord, item.get("record_id"))
        if record is not None and record.id in wanted:
            errors.update(_record_errors(ctx, index, item, record))
    if ctx.data.get("confirm_other") is not True:
        errors["confirm_other"] = "请核对并确认迁入的财务、获奖、诚信评分和人员信息"
    return errors


@handler("migrated.confirm")
def confirm(ctx: HandlerContext, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Complete each record, set its 属地 and mark it confirmed (usable for bids); the change is kept."""
    confirmed = []
    for item in records:
        record = ctx.session.get(PerformanceRecord, item["record_id"])
        if record is None or not unconfirmed_migration(record):
            raise ValueError(Message(NOT_CONFIRMABLE, record=item["record_id"]))
        new = {k: str(item[k]) for k in ("location_code", *COMPLETABLE) if item.get(k) not in (None, "")}
        old = {k: (record.fields or {}).get(k) for k in new}
        record.fields = {**(record.fields or {}), **new, "confirmed_case": ctx.case.number,
                         "confirmed_at": utcnow().isoformat()}
        ctx.session.add(PerformanceRecordChange(record_id=record.id, case_id=ctx.case.id, old_values=old,
                                                new_values=new))
        confirmed.append(record.id)
    return {"confirmed": confirmed}


STORED_TEXTS = (TITLE, NOT_CONFIRMABLE)  # texts stored in Chinese (app/services/stored_texts.py)
