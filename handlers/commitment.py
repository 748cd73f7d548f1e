"""入库承诺制 (commitment_entry): the enterprise enters what no data exchange brings and signs the 入库承诺书;
what it committed is stored with a hash and takes effect without a review of originals, except 良好行为 and
纳税信息, which the city reviews item by item. Guards: persons the approval or training-exam systems bring
cannot be added by hand (only completed); out-of-region performance comes only from the national platform
and cannot be entered or edited; a record used in a bid or under an award lock is frozen."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, RuleViolation
from app.models import (
    BehaviourKind,
    CertificateKind,
    CommitmentSignature,
    EnterpriseEntry,
    EntryStatus,
    Organisation,
    PerformanceRecord,
    PerformanceRecordChange,
    Person,
    PersonStatus,
    RecordSource,
)
from app.services import audit
from app.services.cases import subjects
from app.services.exchange.outbound import queue_personnel
from app.services.procedures.registry import ChoiceContext, HandlerContext
from app.services.records import integrity, person_entries
from app.services.records.identifiers import is_valid_id_number, mask_id_number
from handlers import choices, handler, validator
from handlers.deregistration import certificate_in_force
from handlers.migrated import unconfirmed_migration
from handlers.performance import normalised_value, value_error
from handlers.rules import FieldRefusal, region_error

PROCEDURE = "commitment_entry"
TEXT_VERSION = "GJY-CN-2021-01"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "入库信息填报：{enterprise}"
COMMITMENT_TEXT = (
    "入库承诺书（GJY-CN-2021-01）：本单位承诺，自行录入“桂建云”的企业基本信息、资质资格、人员、财务、投标业绩等信息"
    "真实、有效、合法，并对其真实性、有效性、合法性负责；如有虚假，自愿接受通报批评、扣减诚信分、记入不良行为记录等处理，"
    "情节严重的由自治区住房城乡建设厅报送全国建筑市场监管公共服务平台。")
# section -> the entry form's field
SECTION_FIELDS = {"basic": "basic", "qualification": "qualifications", "personnel": "personnel", "finance": "finances",
                  "performance": "performances", "good_behaviour": "good_behaviours", "tax": "tax_records"}
REVIEWED = {"good_behaviours": "good_behaviour", "tax_records": "tax"}  # need an authority's review of originals
# Persons of these kinds come from the approval and training-exam systems (in-region enterprises) or, for
# registered personnel, from the national platform: never added by hand.
IMPORTED_KINDS = {k.value for k in CertificateKind}
OUT_OF_REGION_ADDABLE = IMPORTED_KINDS - {CertificateKind.REGISTERED}
GUANGXI = "45"


def committed_content(data: dict[str, Any]) -> dict[str, Any]:
    """What the enterprise commits to: the chosen sections' entries (uploads by id)."""
    fields = [SECTION_FIELDS[s] for s in data.get("sections") or [] if s in SECTION_FIELDS]
    return {name: data.get(name) for name in [*fields, "licence_files", "review_files"] if data.get(name)}


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@handler("commitment.check_start")
def check_start(ctx: HandlerContext) -> None:
    """One open commitment submission per enterprise."""
    enterprise = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    subjects.claim(ctx.case, PROCEDURE, [f"enterprise:{ctx.case.applicant_org_id}"],
                   "本单位已有办理中的入库信息填报（{number}），请先完成或撤回")
    ctx.case.title = TITLE.format(enterprise=enterprise.name if enterprise else "")


def _section_errors(data: dict[str, Any], sections: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    chosen = {SECTION_FIELDS[s] for s in sections}
    for name in SECTION_FIELDS.values():
        if name in chosen and not data.get(name):
            errors[name] = "请填写本次选择的信息类别"
        elif name not in chosen and data.get(name):
            errors[name] = "未选择该信息类别，请删除或在发起时选择"
    if "basic" in chosen and data.get("basic") and not data.get("licence_files"):
        errors["licence_files"] = "请上传营业执照扫描件"
    if (chosen & set(REVIEWED)) and not data.get("review_files"):
        errors["review_files"] = "请上传良好行为、纳税证明扫描件"
    return errors


def _person_errors(ctx: HandlerContext, index: int, item: dict[str, Any], enterprise: Organisation) -> dict[str, str]:
    key = f"personnel.{index}"
    if item.get("person_id"):
        person = ctx.session.get(Person, item["person_id"])
        if person is None or person.employer_id != enterprise.id or person.status != PersonStatus.IN_SERVICE:
            return {f"{key}.person_id": "只能完善本单位在职人员的信息"}
        return {}
    missing = {f"{key}.{f}": "添加人员须填写此项" for f in ("id_number", "name", "kind") if not item.get(f)}
    if missing:
        return missing
    if not is_valid_id_number(item["id_number"]):
        return {f"{key}.id_number": "身份证号码校验位不正确"}
    existing = ctx.session.scalar(select(Person).where(Person.id_number_is(item["id_number"])))
    kind = item["kind"]
    imported_kind = kind in IMPORTED_KINDS and (enterprise.in_region or kind not in OUT_OF_REGION_ADDABLE)
    # A certificate holder is one with a certificate in force, as the deregistration procedure decides (an
    # expired certificate no longer brings him by data exchange).
    certified = existing is not None and certificate_in_force(ctx.session, existing.id) is not None
    if imported_kind or certified:
        raise FieldRefusal(f"{key}.id_number", "该类人员信息由审批系统、培训考试系统（注册人员由全国平台）自动导入，"
                           "企业不得手动添加，只能选择该人员完善社保缴费、职称、学历、联系方式等信息",
                           code="person_imported", details={"index": index,
                                                            "person_id": existing.id if existing else None})
    if existing is None:
        return {}
    if existing.status == PersonStatus.DEREGISTERED:  # entered nowhere now: entering him binds him here
        return {} if existing.name == str(item["name"]).strip() else {
            f"{key}.name": "姓名与该身份证号码登记的姓名不一致"}
    return {f"{key}.id_number": "该人员已在本单位入库，不能重复添加，请在“已入库人员”中选择该人员完善信息"
            if existing.employer_id == enterprise.id else "该人员已在其他单位入库，不能重复添加"}


def _performance_errors(ctx: HandlerContext, index: int, item: dict[str, Any], enterprise_id: int) -> dict[str, str]:
    key = f"performances.{index}"
    if item.get("record_id"):
        record = ctx.session.get(PerformanceRecord, item["record_id"])
        if record is None or record.enterprise_id != enterprise_id:
            return {f"{key}.record_id": "只能完善本单位的业绩"}
        if record.source == RecordSource.IMPORTED:
            raise FieldRefusal(f"{key}.record_id", "该业绩为从全国平台导入的区外业绩，其信息不得手动修改",
                               code="record_imported", details={"index": index, "record_id": record.id})
        if unconfirmed_migration(record):
            raise FieldRefusal(f"{key}.record_id", "该业绩为诚信平台迁入的业绩，请通过“迁移数据确认”补充信息并确认属地",
                               code="record_migrated", details={"index": index,
                                                                "procedure": "migrated_data_confirmation"})
        if record.frozen:
            message = ("该业绩已用于投标，不允许修改；确需修改的请申请“投标业绩修改”" if record.used_in_bid else
                       "该业绩已被交易平台中标锁定，不允许修改；确需修改的请申请“投标业绩修改”")
            raise FieldRefusal(f"{key}.record_id", message, code="record_frozen",
                               details={"index": index, "procedure": "performance_record_edit"})
        return _value_errors(ctx, index, item)
    missing = {f"{key}.{f}": "新增业绩须填写此项" for f in ("project_name", "location_code", "contract_amount",
                                                          "completion_date") if not item.get(f)}
    return missing or _value_errors(ctx, index, item)


def _value_errors(ctx: HandlerContext, index: int, item: dict[str, Any]) -> dict[str, str]:
    """The values entered, checked as 投标业绩修改, 历史业绩补录 and 迁移数据确认 check them: a Guangxi 属地 of a known
    region, a contract amount above 0, a completion date before today."""
    key = f"performances.{index}"
    errors: dict[str, str] = {}
    location = str(item.get("location_code") or "")
    if location and not location.startswith(GUANGXI):
        raise FieldRefusal(f"{key}.location_code", "区外业绩以全国平台导入的C级以上（含C级）业绩为准，不能手动录入",
                           code="out_of_region_performance", details={"index": index})
    if location and (message := region_error(ctx.session, location)):
        errors[f"{key}.location_code"] = message
    for name in ("contract_amount", "completion_date"):
        value = str(item.get(name) or "")
        if value and (message := value_error(name, normalised_value(name, value))):
            errors[f"{key}.{name}"] = message
    return errors


@choices("commitment.own_records")
def own_records(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The enterprise's performance records, by name. All of them, not only those that may be completed here:
    choosing an imported, migrated or frozen one is refused with the reason and the procedure to use."""
    org_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    rows = ctx.session.execute(select(PerformanceRecord.id, PerformanceRecord.project_name).where(
        PerformanceRecord.enterprise_id == org_id).order_by(PerformanceRecord.id))
    return [(row.id, row.project_name) for row in rows]


@choices("commitment.own_persons")
def own_persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The enterprise's persons in service, by name and masked ID number: the one whose data an entry completes
    (the form asked for a 人员编号 that no page shows)."""
    org_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    rows = ctx.session.execute(select(Person.id, Person.name, Person.id_number).where(
        Person.employer_id == org_id, Person.status == PersonStatus.IN_SERVICE).order_by(Person.id))
    return [(row.id, f"{row.name}（{mask_id_number(row.id_number)}）") for row in rows]


@choices("commitment.review_items")
def review_items(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The items awaiting the review of originals, as the case lists them (良好行为 and 纳税信息), by title."""
    items = ((ctx.case.data or {}).get("applied") or {}).get("review_items") or [] if ctx.case else []
    return [(item["entry_id"], item["title"]) for item in items]


@validator("commitment.check_entries")
def check_entries(ctx: HandlerContext) -> dict[str, str]:
    enterprise = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    assert enterprise is not None
    errors = _section_errors(ctx.data, list(ctx.case.data.get("sections") or []))
    for index, item in enumerate(ctx.data.get("personnel") or []):
        errors.update(_person_errors(ctx, index, item, enterprise))
    for index, item in enumerate(ctx.data.get("performances") or []):
        errors.update(_performance_errors(ctx, index, item, enterprise.id))
    return errors


@validator("commitment.check_sign")
def check_sign(ctx: HandlerContext) -> dict[str, str]:
    if ctx.data.get("agree") is not True:
        return {"agree": "须签署入库承诺书方可提交"}
    if ctx.data.get("text_version") != TEXT_VERSION:
        return {"text_version": "承诺书版本已更新，请阅读并签署最新版本"}
    _still_enterable(ctx)
    return {}


# A person added by hand whom the entries can no longer add when they are signed (another enterprise entered him
# meanwhile, a certificate brought him by data exchange): the signature is refused; the form that entered him is
# behind, so the applicant withdraws and enters again.
ENTRY_CHANGED = "填写入库信息后，{name}的情况已有变化：{reason}。本次填报不能签署，请撤回后重新填报"


def _still_enterable(ctx: HandlerContext) -> None:
    """The persons added by hand, held for this signature (a concurrent one entering any of them is waited for)
    and checked again as the entries were: the check and the binding in one transaction, so that of two
    enterprises entering the same person one binds him and the other is refused here, not in 异常 at apply."""
    enterprise = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    assert enterprise is not None
    added = [(index, item) for index, item in enumerate((ctx.case.data or {}).get("personnel") or [])
             if not item.get("person_id")]
    person_entries.hold(ctx.case, [(str(item["id_number"]), str(item["name"])) for _, item in added])
    for index, item in added:
        try:
            errors = _person_errors(ctx, index, item, enterprise)
        except FieldRefusal as refusal:
            errors = refusal.field_errors
        if errors:
            reason = next(iter(errors.values()))
            reason = reason if isinstance(reason, Message) else Message(reason)
            raise FieldRefusal("_form", Message(ENTRY_CHANGED, name=item["name"], reason=reason),
                               code="person_entry_changed", details={"index": index})


def _entry(ctx: HandlerContext, category: str, data: dict[str, Any], status: str) -> EnterpriseEntry:
    entry = EnterpriseEntry(enterprise_id=ctx.case.applicant_org_id, category=category, data=data, status=status,
                            source="commitment", case_id=ctx.case.id)
    ctx.session.add(entry)
    return entry


def _apply_person(ctx: HandlerContext, item: dict[str, Any]) -> None:
    profile = {k: item[k] for k in ("social_insurance_months", "professional_title", "education", "phone")
               if item.get(k) not in (None, "")}
    if item.get("person_id"):
        _entry(ctx, "personnel", {"person_id": item["person_id"], **profile}, EntryStatus.EFFECTIVE)
        _complete_person(ctx, int(item["person_id"]), profile.get("phone"))
        return
    person = ctx.session.scalar(select(Person).where(Person.id_number_is(item["id_number"])))
    re_entered = person is not None
    if person is None:
        person = Person(id_number=item["id_number"].upper(), name=item["name"],
                        employer_id=ctx.case.applicant_org_id, phone=item.get("phone"))
        ctx.session.add(person)
    else:
        _re_enter(ctx, person, item.get("phone"))
    ctx.session.flush()
    _entry(ctx, "personnel", {"person_id": person.id, "kind": item["kind"], "added_by_hand": True,
                              **({"re_entered": True} if re_entered else {}), **profile}, EntryStatus.EFFECTIVE)


def _complete_person(ctx: HandlerContext, person_id: int, phone: str | None) -> None:
    """入库: the contact phone the enterprise entered and signed for is the person's record's (encrypted at rest by
    the model), audited before/after (masked). His title, education and social insurance, which the person record
    does not hold, stay in the effective entry."""
    person = ctx.session.get(Person, person_id)
    if person is None or not phone or phone == person.phone:
        return
    before = {"phone": person.phone}
    person.phone = phone
    audit.record(ctx.actor, "record.person_changed", "person", person.id, case=ctx.case.number,
                 **audit.changed(before, {"phone": phone}))


def _employment(person: Person) -> dict[str, Any]:
    return {"employer_id": person.employer_id, "employer": person.employer.name if person.employer else None,
            "status": str(person.status)}


def _re_enter(ctx: HandlerContext, person: Person, phone: str | None) -> None:
    """A deregistered person (his one record, keyed by ID number) entered by an enterprise: bound to it, in
    service again; the change is audited with the employer he left (the record keeps no other history)."""
    if person.status != PersonStatus.DEREGISTERED:  # entered elsewhere since the entries were checked
        raise RuleViolation(Message("{name}已在其他单位入库，不能重复添加", name=person.name),
                            code="person_entered_elsewhere")
    before = _employment(person)
    person.employer_id, person.status = ctx.case.applicant_org_id, PersonStatus.IN_SERVICE
    person.phone = phone or person.phone
    ctx.session.flush()
    ctx.session.expire(person, ["employer"])
    audit.record(ctx.actor, "record.employer_changed", "person", person.id, case=ctx.case.number,
                 **audit.changed(before, _employment(person)))
    employer = ctx.session.get(Organisation, ctx.case.applicant_org_id)
    if employer is not None:  # the trading platform offers him as the new employer's again (told he left)
        queue_personnel(person, employer, ctx.case, key=f"trading-platform:personnel:{ctx.case.number}:{person.id}")


def _apply_performance(ctx: HandlerContext, item: dict[str, Any]) -> None:
    values = {k: str(item[k]) for k in ("location_code", "contract_amount", "completion_date", "project_manager",
                                        "construction_unit") if item.get(k) not in (None, "")}
    if item.get("record_id"):
        record = ctx.session.get(PerformanceRecord, item["record_id"])
        if (record is None or record.source == RecordSource.IMPORTED or unconfirmed_migration(record)
                or record.frozen):
            raise RuleViolation("业绩已冻结或不可修改", code="record_frozen")
        old = {k: (record.fields or {}).get(k) for k in values}
        if item.get("project_name"):
            old["project_name"], values["project_name"] = record.project_name, item["project_name"]
            record.project_name = item["project_name"]
        record.fields = {**(record.fields or {}), **{k: v for k, v in values.items() if k != "project_name"}}
        ctx.session.add(PerformanceRecordChange(record_id=record.id, case_id=ctx.case.id, old_values=old,
                                                new_values=values))
        return
    ctx.session.add(PerformanceRecord(enterprise_id=ctx.case.applicant_org_id, project_name=item["project_name"],
                                      source=RecordSource.IN_REGION, used_in_bid=False,
                                      fields={**values, "entered_on_commitment": ctx.case.number}))


@handler("commitment.apply")
def apply(ctx: HandlerContext) -> dict[str, Any]:
    """Store the signed commitment with the hash of what was committed, apply what needs no review, and queue
    良好行为 and 纳税信息 for the review of originals."""
    data = ctx.case.data or {}
    content = committed_content(data)
    actor = ctx.actor
    ctx.session.add(CommitmentSignature(
        case_id=ctx.case.id, enterprise_id=ctx.case.applicant_org_id, signed_by_id=actor.id if actor else None,
        signed_by=actor.display_name if actor else "", signed_at=utcnow(), text_version=data.get("text_version", ""),
        text_sha256=hashlib.sha256(COMMITMENT_TEXT.encode("utf-8")).hexdigest(),
        content_sha256=content_hash(content), content=content))
    if data.get("basic"):
        _entry(ctx, "basic", {**data["basic"], "licence_files": data.get("licence_files") or []}, EntryStatus.EFFECTIVE)
    for item in data.get("personnel") or []:
        _apply_person(ctx, item)
    person_entries.release(ctx.case)  # bound: held no longer (a review of originals may keep the case open)
    for item in data.get("qualifications") or []:
        _entry(ctx, "qualification", item, EntryStatus.EFFECTIVE)
    for item in data.get("finances") or []:
        _entry(ctx, "finance", item, EntryStatus.EFFECTIVE)
    for item in data.get("performances") or []:
        _apply_performance(ctx, item)
    pending = [_entry(ctx, category, item, EntryStatus.PENDING_REVIEW)
               for name, category in REVIEWED.items() for item in data.get(name) or []]
    ctx.session.flush()
    items = [{"entry_id": e.id, "category": e.category,
              "title": e.data.get("title") or f"{e.data.get('year')}年度纳税 {e.data.get('amount')} 万元"}
             for e in pending]
    result = {"needs_review": bool(pending), "review_items": items, "content_sha256": content_hash(content)}
    ctx.case.data = {**data, "applied": result}  # the reviewer reads the items (entry ids) from the case
    return result


def _pending(ctx: HandlerContext) -> dict[int, EnterpriseEntry]:
    rows = ctx.session.scalars(select(EnterpriseEntry).where(EnterpriseEntry.case_id == ctx.case.id,
                                                             EnterpriseEntry.status == EntryStatus.PENDING_REVIEW))
    return {row.id: row for row in rows}


@validator("commitment.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    """One decision per item awaiting review; a rejection says why."""
    pending = _pending(ctx)
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for index, review in enumerate(ctx.data.get("reviews") or []):
        if review.get("entry_id") not in pending or review["entry_id"] in seen:
            errors[f"reviews.{index}.entry_id"] = "不是本办件待审核的事项，或重复审核"
        seen.add(review.get("entry_id"))
        if review.get("decision") == "reject" and not str(review.get("comment") or "").strip():
            errors[f"reviews.{index}.comment"] = "不予通过须说明理由"
    if not errors and seen != set(pending):
        errors["reviews"] = "每个待审核事项都须给出审核结论"
    return errors


@handler("commitment.apply_reviews")
def apply_reviews(ctx: HandlerContext, reviews: list[dict[str, Any]]) -> dict[str, Any]:
    """Approved good behaviour becomes a 良好行为 record with this case as its source; tax records take effect."""
    pending = _pending(ctx)
    approved = 0
    for review in reviews:
        entry = pending[int(review["entry_id"])]
        entry.status = EntryStatus.APPROVED if review["decision"] == "approve" else EntryStatus.REJECTED
        entry.review_comment, entry.updated_at = review.get("comment"), utcnow()
        if entry.status == EntryStatus.APPROVED:
            approved += 1
            if entry.category == "good_behaviour":
                integrity.add_behaviour(entry.enterprise_id, BehaviourKind.GOOD, entry.data["title"], PROCEDURE,
                                        description=f"授予单位：{entry.data.get('issuer')}", actor=ctx.actor,
                                        case_id=ctx.case.id, occurred_on=date.fromisoformat(entry.data["awarded_on"]))
    return {"approved": approved, "rejected": len(reviews) - approved}


STORED_TEXTS = (TITLE,)  # texts stored in Chinese (app/services/stored_texts.py)
