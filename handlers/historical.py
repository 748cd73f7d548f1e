"""历史业绩补录 (historical_performance): an enterprise applies to add a past in-region project with its
documents (per 桂建管〔2020〕28号, as the notice refers to it); the city of the project's location reviews; an
approved project becomes an in-region performance record of the enterprise."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, RuleViolation
from app.models import PerformanceRecord, RecordSource
from app.services.cases import subjects
from app.services.deadlines.limits import LOCAL_TZ
from app.services.procedures.registry import HandlerContext
from handlers import handler, validator
from handlers.rules import FieldRefusal, region_error

PROCEDURE = "historical_performance"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "历史业绩补录：{name}"
DOCUMENTS = {"contract_files": "施工合同", "completion_files": "竣工验收合格意见书", "bid_award_files": "中标通知书"}
FIELDS = ("location_code", "contract_amount", "completion_date", "project_manager", "construction_unit",
          "permit_number")


@handler("historical.check_start")
def check_start(ctx: HandlerContext) -> None:
    """A Guangxi location (the case goes to its city), a past completion date, not yet recorded, one open
    application per project name."""
    location = str(ctx.data.get("location_code") or "")
    if not location.startswith("45"):
        raise FieldRefusal("location_code", "历史业绩补录只适用于区内项目；区外业绩以全国平台导入的C级以上业绩为准",
                           code="out_of_region_performance")
    if location[2:4] == "00":  # the province itself: no city reviews it, and the case would wait for no one
        raise FieldRefusal("location_code", "项目属地应为设区市或县（市、区）的行政区划代码，不能是自治区本级",
                           code="invalid_form")
    if message := region_error(ctx.session, location):
        raise FieldRefusal("location_code", message, code="invalid_form")
    if date.fromisoformat(str(ctx.data["completion_date"])) >= utcnow().astimezone(LOCAL_TZ).date():
        raise FieldRefusal("completion_date", "历史业绩的竣工日期应早于今天", code="invalid_form")
    name = str(ctx.data["project_name"]).strip()
    exists = ctx.session.scalar(select(PerformanceRecord.id).where(
        PerformanceRecord.enterprise_id == ctx.case.applicant_org_id, PerformanceRecord.project_name == name))
    if exists is not None:
        raise RuleViolation(Message("本企业已有业绩“{name}”，无需补录", name=name), code="record_exists",
                            details={"record_id": exists})
    subjects.claim(ctx.case, PROCEDURE, [f"{ctx.case.applicant_org_id}:{name}"[:100]],
                   "该项目已有办理中的补录申请（{number}）")
    ctx.case.region_code = location[:4] + "00"
    ctx.case.title = TITLE.format(name=name)


@validator("historical.check_request")
def check_request(ctx: HandlerContext) -> dict[str, str]:
    return {name: Message("请上传{title}", title=Message(title)) for name, title in DOCUMENTS.items()
            if not ctx.data.get(name)}


@validator("historical.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    if ctx.data.get("decision") == "approve" and ctx.data.get("originals_checked") is not True:
        return {"originals_checked": "同意补录前须核验材料原件"}
    return {}


@handler("historical.add_record")
def add_record(ctx: HandlerContext) -> dict[str, Any]:
    data = ctx.case.data or {}
    record = PerformanceRecord(enterprise_id=ctx.case.applicant_org_id, project_name=str(data["project_name"]).strip(),
                               source=RecordSource.IN_REGION, used_in_bid=False,
                               fields={**{k: str(data[k]) for k in FIELDS if data.get(k) not in (None, "")},
                                       "historical_case": ctx.case.number})
    ctx.session.add(record)
    ctx.session.flush()
    return {"record_id": record.id}


STORED_TEXTS = (TITLE,)  # texts stored in Chinese (app/services/stored_texts.py)
