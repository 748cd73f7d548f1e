"""Edit of a performance record used in a bid (投标业绩修改): only frozen in-region records of the applicant;
the province reviews the four documents' originals; on approval the change is applied with history.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, RuleViolation
from app.models import PerformanceRecord, PerformanceRecordChange, RecordSource
from app.services import audit
from app.services.cases import subjects
from app.services.deadlines.limits import LOCAL_TZ
from app.services.exchange.outbound import queue_performance_record
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records.identifiers import normalise_identifier
from handlers import choices, handler, validator
from handlers.migrated import unconfirmed_migration

PROCEDURE = "performance_record_edit"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "投标业绩修改：{project}"
AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")  # 万元, at most two decimals; ASCII (\d takes "٣" too)
MAX_CONTRACT_AMOUNT = Decimal("10000000")  # 万元: a thousand 亿 yuan, above any single contract
EDITABLE = {"project_name": "工程名称", "contract_amount": "合同金额（万元）", "completion_date": "竣工日期",
            "project_manager": "项目经理", "construction_unit": "建设单位", "project_scale": "建设规模"}
# upload field -> (document, the review's checkbox that its original was shown)
DOCUMENTS = {"bid_award_files": ("中标通知书", "original_bid_award"),
             "contract_files": ("施工合同", "original_contract"),
             "permit_files": ("施工许可证复印件", "original_permit"),
             "completion_files": ("竣工验收合格意见书", "original_completion")}


def current_value(record: PerformanceRecord, name: str) -> str:
    value = record.project_name if name == "project_name" else (record.fields or {}).get(name)
    return "" if value is None else str(value)


@choices("perf.records")
def records(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """All of the applicant enterprise's records; those that cannot be edited say why in their title."""
    enterprise_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    rows = ctx.session.scalars(select(PerformanceRecord).where(PerformanceRecord.enterprise_id == enterprise_id)
                               .order_by(PerformanceRecord.id))
    def label(r: PerformanceRecord) -> Message:  # a message: the English pages say the state in English
        if r.source == RecordSource.IMPORTED:
            return Message("{name}（区外导入业绩，不能修改）", name=r.project_name)
        if unconfirmed_migration(r):
            return Message("{name}（诚信平台迁入，请先在“迁移数据确认”中确认）", name=r.project_name)
        if r.used_in_bid:
            return Message("{name}（已用于投标）", name=r.project_name)
        if r.frozen:
            return Message("{name}（中标锁定）", name=r.project_name)
        return Message("{name}（未用于投标，在“入库信息填报”中完善）", name=r.project_name)
    return [(r.id, label(r)) for r in rows]


@choices("perf.current_values")
def current_values(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The record's current value of each editable field (the request's 原值, filled in for the applicant)."""
    if ctx.case is None:
        return []
    record = ctx.session.get(PerformanceRecord, (ctx.case.data or {}).get("record_id"))
    if record is None or record.enterprise_id != ctx.case.applicant_org_id:
        return []
    return [(name, current_value(record, name)) for name in EDITABLE]


def editable_record(session: Any, record_id: Any, enterprise_id: int) -> PerformanceRecord:
    """The record if this enterprise may apply to edit it; else a refusal with a stable code."""
    record = session.get(PerformanceRecord, record_id)
    if record is None or record.enterprise_id != enterprise_id:
        raise RuleViolation("只能申请修改本企业的业绩", code="record_not_own")
    if record.source == RecordSource.IMPORTED:
        raise RuleViolation("该业绩为从全国建筑市场监管公共服务平台导入的区外业绩，不能在本系统修改；"
                            "如需更正，请向业绩所在地住房城乡建设主管部门申请在全国平台更正", code="record_imported")
    if unconfirmed_migration(record):
        raise RuleViolation("该业绩为诚信平台迁入的业绩，尚未确认属地：请先通过“迁移数据确认”补充信息并确认",
                            code="record_migrated")
    if not record.frozen:  # used in a bid, or under the trading platform's award lock
        raise RuleViolation("该业绩尚未用于投标，未被冻结，无需申请修改", code="record_not_frozen")
    return record


@handler("perf.check_start", provides=("record_name",))
def check_start(ctx: HandlerContext) -> dict[str, Any]:
    """Refuse imported, unfrozen or foreign records and a second open application for the same record."""
    record = editable_record(ctx.session, ctx.data.get("record_id"), ctx.case.applicant_org_id)
    subjects.claim(ctx.case, PROCEDURE, [f"record:{record.id}"], "该业绩已有办理中的修改申请（{number}），请勿重复申请")
    ctx.case.title = TITLE.format(project=record.project_name)
    ctx.data["record_name"] = record.project_name
    ctx.case.data = dict(ctx.data)
    return {}


def normalised_value(name: str, value: str) -> str:
    """A new value as stored: trimmed (str.strip takes the full-width space too); a contract amount typed in
    full-width digits (a Chinese IME's) read in ASCII and written as the records' amounts are ("3350.00")."""
    if name != "contract_amount":
        return value.strip()
    amount = normalise_identifier(value)
    return f"{Decimal(amount):.2f}" if AMOUNT.fullmatch(amount) else amount


def value_error(name: str, value: str) -> str | None:
    """What is wrong with a record's contract amount or completion date as stored (others: nothing)."""
    if name == "contract_amount":
        # Plain decimal notation only ("1e400", "NaN" and "Infinity" parse as Decimals too).
        if not AMOUNT.fullmatch(value):
            return "合同金额应为数字（万元），最多两位小数"
        amount = Decimal(value)
        if amount <= 0:
            return "合同金额应大于0"
        if amount > MAX_CONTRACT_AMOUNT:
            return Message("合同金额不能超过 {max} 万元", max=MAX_CONTRACT_AMOUNT)
    if name == "completion_date":
        try:
            completed = date.fromisoformat(value)
        except ValueError:
            return "竣工日期格式应为 YYYY-MM-DD"
        if completed >= utcnow().astimezone(LOCAL_TZ).date():  # a record used in a bid is of a finished project
            return "竣工日期应早于今天"
    return None


def change_errors(record: PerformanceRecord, changes: list[dict[str, Any]]) -> dict[str, str]:
    """Each stated change: a known field once, the old value as recorded, a valid, non-blank, different new
    value (compared and checked as it would be stored)."""
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, change in enumerate(changes):
        name, old = change.get("field", ""), str(change.get("old_value", ""))
        new = normalised_value(name, str(change.get("new_value", "")))
        key = f"changes.{index}"
        if name in seen:
            errors[f"{key}.field"] = "同一字段只能填写一次"
        seen.add(name)
        if old.strip() != current_value(record, name):
            errors[f"{key}.old_value"] = Message("原值与业绩记录不符，记录中为“{value}”",
                                                 value=current_value(record, name))
        elif not new:  # blank or spaces only: the record would lose the value (and a project its name)
            errors[f"{key}.new_value"] = "新值不能为空"
        elif new == normalised_value(name, old):
            errors[f"{key}.new_value"] = "新值与原值相同"
        elif message := value_error(name, new):
            errors[f"{key}.new_value"] = message
    return errors


@validator("perf.check_request")
def check_request(ctx: HandlerContext) -> dict[str, str]:
    try:
        record = editable_record(ctx.session, ctx.case.data.get("record_id"), ctx.case.applicant_org_id)
    except RuleViolation as refusal:
        return {"_form": refusal.message}
    for change in ctx.data.get("changes") or []:  # 原值 is the record's: filled in where left out
        if not str(change.get("old_value") or "").strip():
            change["old_value"] = current_value(record, str(change.get("field", "")))
        # The reviewer sees, and the approval applies, the value as stored ("３３５０" -> "3350.00").
        change["new_value"] = normalised_value(str(change.get("field", "")), str(change.get("new_value", "")))
    errors = change_errors(record, list(ctx.data.get("changes") or []))
    for name, (title, _check) in DOCUMENTS.items():
        if not ctx.data.get(name):
            errors[name] = Message("请上传{title}", title=Message(title))
    return errors


@validator("perf.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    """Approval: every original shown (checked), and the record still as the applicant stated."""
    if ctx.data.get("decision") != "approve":
        return {}
    # The permit is uploaded as a copy (施工许可证复印件); its original is the 施工许可证 itself.
    errors: dict[str, str] = {check: Message("批准前须核验{title}原件", title=Message(title.removesuffix("复印件")))
                              for title, check in DOCUMENTS.values() if not ctx.data.get(check)}
    record = ctx.session.get(PerformanceRecord, ctx.case.data.get("record_id"))
    found = change_errors(record, list(ctx.case.data.get("changes") or [])) if record is not None else {}
    if any(key.endswith(".old_value") for key in found):
        errors["decision"] = "业绩记录已发生变化，与申请所述原值不一致，不能批准"
    elif found:  # e.g. a blank new value stated before blanks were refused at submission
        errors["decision"] = "申请所填新值不符合要求，不能批准"
    return errors


@handler("perf.apply_change")
def apply_change(ctx: HandlerContext, record_id: int, changes: list[dict[str, Any]]) -> dict[str, Any]:
    """Apply the approved change; the old values stay in the record's history."""
    record = editable_record(ctx.session, record_id, ctx.case.applicant_org_id)
    if change_errors(record, changes):
        raise ValueError("业绩记录与申请所述原值不一致")
    old = {c["field"]: current_value(record, c["field"]) for c in changes}
    new = {c["field"]: normalised_value(c["field"], str(c["new_value"])) for c in changes}
    fields = dict(record.fields or {})
    for name, value in new.items():
        if name == "project_name":
            record.project_name = value
        else:
            fields[name] = value
    record.fields = fields
    change = PerformanceRecordChange(record_id=record.id, case_id=ctx.case.id, old_values=old, new_values=new)
    ctx.session.add(change)
    audit.record(ctx.actor, "record.performance_changed", "performance_record", record.id, case=ctx.case.number,
                 before=old, after=new)
    ctx.session.flush()
    queue_performance_record(record.id, ctx.case)  # the trading platform holds the record it froze
    return {"change_id": change.id}


STORED_TEXTS = (TITLE,)  # texts stored in Chinese (app/services/stored_texts.py)
