"""事中事后抽查 (spot_check): one case per drawn item. The checking authority inspects it; on a finding of false
data the enterprise may state its case (陈述申辩) within 5 working days; the authority decides: a confirmed
finding publishes a 通报批评, deducts integrity points with the case as source, records a 不良行为, and a
serious case is queued for the national platform."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, NotAllowed, NotFound, RuleViolation
from app.integrations.outbox import enqueue
from app.models import (
    PROVINCE_CODE,
    BehaviourKind,
    Organisation,
    PublicNotice,
    Region,
    SpotCheckDraw,
    SpotCheckItem,
)
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records import integrity
from handlers import choices, handler, validator

PROCEDURE = "spot_check"
NATIONAL_BAD_BEHAVIOUR_KIND = "national_platform.bad_behaviour"
PROVINCE_NAME = "广西壮族自治区住房和城乡建设厅"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "事中事后抽查：{enterprise}（{item}）"
# The reason of a deduction in the integrity ledger (stored in Chinese, read by this template as the title is).
LEDGER_REASON = "事中事后抽查发现录入虚假信息（{item}），{number}"


@choices("spot.open_items")
def open_items(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """Drawn items of the actor's region that no case inspects yet (a draw starts its cases itself)."""
    rows = ctx.session.execute(select(SpotCheckItem.id, SpotCheckItem.item_title, Organisation.name)
                               .join(SpotCheckDraw, SpotCheckDraw.id == SpotCheckItem.draw_id)
                               .join(Organisation, Organisation.id == SpotCheckItem.enterprise_id)
                               .where(SpotCheckDraw.region_code == ctx.actor.region_code,
                                      SpotCheckItem.case_id.is_(None)).order_by(SpotCheckItem.id))
    options = [(row.id, f"{row.name}：{row.item_title}") for row in rows]
    data = ctx.case.data if ctx.case is not None else {}
    own = data.get("item_id")
    if own and int(own) not in {o[0] for o in options}:  # the case's own item (inspected by it, so not open)
        options.append((int(own), str(data.get("item_name") or "") or Message("抽查事项 {id}", id=own)))
    return options


@handler("spot.check_start", provides=("checker_level",))
def check_start(ctx: HandlerContext) -> None:
    """The item belongs to a draw of the starter's region and is not inspected yet; the drawn enterprise becomes
    the case's party (its 陈述申辩 task goes to it) and the case takes the enterprise's region."""
    item = ctx.session.get(SpotCheckItem, ctx.data.get("item_id"))
    draw = ctx.session.get(SpotCheckDraw, item.draw_id) if item is not None else None
    if item is None or draw is None or ctx.actor is None or draw.region_code != ctx.actor.region_code:
        raise NotFound("未找到该抽查事项", code="spot_item_not_found")
    if item.case_id is not None:
        raise RuleViolation("该抽查事项已有核查办件", code="duplicate_open_case")
    enterprise = ctx.session.get(Organisation, item.enterprise_id)
    assert enterprise is not None
    item.case_id = ctx.case.id
    ctx.case.applicant_org_id, ctx.case.region_code = enterprise.id, enterprise.region_code
    ctx.case.title = TITLE.format(enterprise=enterprise.name, item=item.item_title)
    checker = ctx.session.get(Region, draw.region_code)
    checker_name = PROVINCE_NAME if draw.region_code == PROVINCE_CODE else \
        f"{checker.name if checker else ''}住房和城乡建设局"
    level = "province" if draw.region_code == PROVINCE_CODE else "city"
    ctx.data.update({"checker_name": checker_name, "checker_level": level,
                     "checker_region_code": draw.region_code, "enterprise_id": enterprise.id,
                     "enterprise_name": enterprise.name, "item_ref": item.item_ref, "item_title": item.item_title,
                     "item_name": f"{enterprise.name}：{item.item_title}",  # how the pages name the chosen item
                     "draw_id": draw.id, "draw_seed": draw.seed})
    ctx.case.data = dict(ctx.data)


@handler("spot.check_withdraw")
def check_withdraw(ctx: HandlerContext) -> dict[str, Any]:
    """The checked enterprise cannot withdraw a spot check; the checking authority may (a mistaken draw)."""
    if ctx.actor is None or ctx.actor.organisation_id == ctx.case.applicant_org_id:
        raise NotAllowed("抽查办件不能由被抽查企业撤回", code="withdraw_not_allowed")
    return {}


@validator("spot.check_inspection")
def check_inspection(ctx: HandlerContext) -> dict[str, str]:
    if ctx.data.get("finding") == "false_data" and not ctx.data.get("evidence_files"):
        return {"evidence_files": "认定虚假信息须上传核查证据"}
    return {}


@validator("spot.check_decision")
def check_decision(ctx: HandlerContext) -> dict[str, str]:
    if ctx.data.get("decision") != "confirm":
        return {}
    errors = {}
    if not str(ctx.data.get("notice_text") or "").strip():
        errors["notice_text"] = "认定虚假信息须填写通报批评内容"
    if not ctx.data.get("deduction"):
        errors["deduction"] = "认定虚假信息须填写扣减的诚信分"
    return errors


def _item(ctx: HandlerContext) -> SpotCheckItem:
    item = ctx.session.scalar(select(SpotCheckItem).where(SpotCheckItem.case_id == ctx.case.id))
    if item is None:
        raise ValueError("抽查事项不存在")
    return item


@handler("spot.close")
def close(ctx: HandlerContext, finding: str) -> dict[str, Any]:
    """No false data (or the statement was accepted): the item is concluded, nothing is recorded against the
    enterprise."""
    item = _item(ctx)
    item.finding, item.concluded_at = finding, utcnow()
    return {"finding": finding}


@handler("spot.penalise")
def penalise(ctx: HandlerContext, deduction: int, notice_text: str, serious: bool) -> dict[str, Any]:
    """通报批评, the deduction (source: this case), the 不良行为 record; a serious case goes to the national
    platform (outbox; the province reports it, as the notice says)."""
    item = _item(ctx)
    enterprise = ctx.session.get(Organisation, item.enterprise_id)
    assert enterprise is not None
    data = ctx.case.data or {}
    issuer = str(data.get("checker_name") or PROVINCE_NAME)
    notice = PublicNotice(kind="criticism", enterprise_id=enterprise.id, case_id=ctx.case.id, issuer=issuer,
                          title=f"关于{enterprise.name}在“桂建云”录入虚假信息的通报批评", body=notice_text)
    ctx.session.add(notice)
    reason = LEDGER_REASON.format(item=item.item_title, number=ctx.case.number)
    entry = integrity.add_entry(enterprise.id, -int(deduction), reason, "spot_check", actor=ctx.actor,
                                case_id=ctx.case.id)
    behaviour = integrity.add_behaviour(enterprise.id, BehaviourKind.BAD, "录入虚假信息（事中事后抽查）", PROCEDURE,
                                        description=notice_text, actor=ctx.actor, case_id=ctx.case.id, entry=entry)
    if serious:
        behaviour.reported_national = True
        enqueue(NATIONAL_BAD_BEHAVIOUR_KIND, {
            "credit_code": enterprise.credit_code, "enterprise_name": enterprise.name, "title": behaviour.title,
            "description": notice_text, "occurred_on": behaviour.occurred_on.isoformat(),
            "deduction": int(deduction), "reported_by": PROVINCE_NAME, "case_number": ctx.case.number},
            f"national-platform:bad-behaviour:{ctx.case.number}", ctx.case.id, aggregate=f"enterprise:{enterprise.id}")
    item.finding, item.concluded_at = "false_data", utcnow()
    ctx.session.flush()
    return {"notice_id": notice.id, "entry_id": entry.id, "behaviour_id": behaviour.id,
            "reported_national": bool(serious)}


STORED_TEXTS = (TITLE, LEDGER_REASON)  # texts stored in Chinese (app/services/stored_texts.py)
