"""Issuing documents on a case, in the step's transaction: numbered per year, issuer and kind (one atomic
upsert on the case-number counters: the series "D" + kind letter + the issuer's region code), with a
verification code, and what they state fixed as `content` (the PDF is rendered from it, see render.py).

When: 受理通知书 when the application reaches an authority; 补正告知书, 不予…决定书 and 办结通知 with the
applicant's notices (services/notifications_applicant.classify), once per deciding task; a 处理决定书 instead of
the 办结通知 for a decision that sanctions the enterprise (a spot check's finding of false data); a 审核决定书
instead of it for an approval after which the case still waits for another system (a B→A upgrade waiting for the
national platform's acknowledgement: decided, not 办理完毕). A case an authority started on the enterprise (a spot
check) is not called "your application" in them.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, exists, select

from app.config import public_url
from app.db import UpsertStatement, table_of, utcnow
from app.extensions import db
from app.log_masking import mask_shown_text
from app.models import (
    PROVINCE_CODE,
    Actor,
    Case,
    CaseClock,
    CaseDocument,
    CaseNumberCounter,
    Organisation,
    OrganisationKind,
    Region,
    Task,
    User,
)
from app.services.deadlines.limits import LOCAL_TZ, Limit, limit_words, parse_limit
from app.services.notifications_applicant import DECIDED, DONE, REFUSED, SUPPLEMENT, Outcome
from app.services.procedures.versions import manifest_of

ACCEPTANCE, SUPPLEMENT_DOC, REFUSAL, COMPLETION = "acceptance", "supplement", "refusal", "completion"
DECISION = "decision"  # an approval whose case still waits for another system: 审核决定书, not 办结通知
SANCTION = "sanction"  # a decision against the enterprise on a case an authority started (a spot check's finding)
KINDS = {ACCEPTANCE: ("受", "A", "受理通知书"), SUPPLEMENT_DOC: ("补", "S", "补正告知书"),
         REFUSAL: ("决", "R", "不予许可决定书"), COMPLETION: ("结", "C", "办结通知"),
         SANCTION: ("处", "P", "处理决定书"), DECISION: ("定", "D", "审核决定书")}
BY_NOTICE = {SUPPLEMENT: SUPPLEMENT_DOC, REFUSED: REFUSAL, DONE: COMPLETION, DECIDED: DECISION}
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper

_COUNTERS = table_of(CaseNumberCounter)
_NEXT_VALUE = UpsertStatement(lambda insert: insert(_COUNTERS).on_conflict_do_update(
    index_elements=[_COUNTERS.c.prefix, _COUNTERS.c.year], set_={"last_value": _COUNTERS.c.last_value + 1})
    .returning(_COUNTERS.c.last_value))


def new_code() -> str:
    """16 random characters in groups of four: XXXX-XXXX-XXXX-XXXX (80 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def chinese_date(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.year}年{local.month}月{local.day}日"


@dataclass(frozen=True)
class Issuer:
    """The issuing authority: its name, its region's code and name (the head of a document number, the
    government that reviews its decisions)."""

    name: str
    region_code: str
    region_name: str | None


_EVER = datetime(2000, 1, 1, tzinfo=UTC)  # a case not received (yet): any 受理通知书 of it counts


@dataclass(frozen=True)
class _Facts:
    issued: bool  # issued before (once per receipt for 受理, else once per deciding task and kind)
    issuer: Issuer
    applicant: str
    applied: bool  # the case is an application (policy.applied_for), not an authority's own case on him


@cache
def _facts_statement(own: bool, by_task: bool) -> Select[Any]:
    """What issuing a document reads, in one statement of scalar subqueries: whether it was issued already, the
    issuer (the deciding user's authority when `own`, else the first authority of the region, with the region's
    name), the applicant's name (not the case's applicant row, which the task's case does not join in) and
    whether the case's starter is of the applicant (policy.applied_for, without loading the starter)."""
    # The 受理通知书 once per receipt: an application refused and amended is received anew (earlier_applications).
    this_receipt = and_(CaseDocument.kind == bindparam("kind"),
                        CaseDocument.issued_at >= bindparam("received", type_=CaseDocument.issued_at.type))
    # A decision's documents once per deciding task and kind: a 审核决定书 at the decision, the 办结通知 when the case
    # it decided completes later (on another system's acknowledgement) on the same task's decision.
    this_task = and_(CaseDocument.task_id == bindparam("task"), CaseDocument.kind == bindparam("kind"))
    issued = exists().where(CaseDocument.case_id == bindparam("case"), this_task if by_task else this_receipt)
    if own:
        name = select(Organisation.name).where(Organisation.id == bindparam("org")).scalar_subquery()
        region: Any = select(Organisation.region_code).where(Organisation.id == bindparam("org")).scalar_subquery()
    else:
        region = bindparam("region", type_=String)
        name = select(Organisation.name).where(Organisation.kind == OrganisationKind.AUTHORITY,
                                               Organisation.region_code == region).limit(1).scalar_subquery()
    return select(issued.label("issued"), name.label("name"), region.label("region_code"),
                  select(Region.name).where(Region.code == region).scalar_subquery().label("region_name"),
                  select(Organisation.name).where(Organisation.id == bindparam("applicant")).scalar_subquery()
                  .label("applicant"),
                  exists().where(User.id == bindparam("starter"), User.organisation_id == bindparam("applicant"))
                  .label("applied"))


def _facts(case: Case, region_code: str, actor: Actor | None = None, task_id: str | None = None,
           kind: str = ACCEPTANCE) -> _Facts:
    """Issued already? (the `kind` by the task `task_id`, else the 受理通知书), the issuer of a document of the region
    (the deciding user's authority if he is of one: the actor's organisation kind is read in this transaction)
    and the applicant's name."""
    own = actor is not None and actor.organisation_kind == OrganisationKind.AUTHORITY
    row = db.session.execute(_facts_statement(own, task_id is not None), {
        "case": case.id, "task": task_id, "kind": kind if task_id is not None else ACCEPTANCE,
        "received": case.received_at or _EVER,
        "org": actor.organisation_id if actor else None,
        "region": region_code, "applicant": case.applicant_org_id, "starter": case.started_by_id}).one()
    issuer = Issuer(row.name or f"{row.region_name or ''}住房和城乡建设主管部门", row.region_code, row.region_name)
    return _Facts(bool(row.issued), issuer, row.applicant, bool(row.applied))


def short_issuer(issuer: Issuer) -> str:
    """南宁市 -> 南宁住建, the province -> 桂建: the head of a document number."""
    if issuer.region_code == PROVINCE_CODE:
        return "桂建"
    name = issuer.region_name or issuer.region_code
    for suffix in ("市", "区", "县"):
        name = name.removesuffix(suffix)
    return f"{name}住建"


def appeal_body(issuer: Issuer) -> str:
    """Who reviews a decision of this authority (行政复议法 2023, art. 24: the government at its level)."""
    return f"{issuer.region_name or '本级'}人民政府"


def _issue(case: Case, kind: str, title: str, facts: _Facts, task_id: str | None,
           content: dict[str, Any]) -> CaseDocument:
    now = utcnow()
    year = now.astimezone(LOCAL_TZ).year
    letter_zh, letter, _default = KINDS[kind]
    name, region_code = facts.issuer.name, facts.issuer.region_code
    sequence = db.session.execute(_NEXT_VALUE(db.session()), {
        "prefix": f"D{letter}{region_code}"[:10], "year": year, "last_value": 1}).scalar_one()
    number = f"{short_issuer(facts.issuer)}{letter_zh}〔{year}〕{sequence}号"
    code = new_code()
    document = CaseDocument(
        case_id=case.id, kind=kind, title=title, number=number, issuer_name=name, issuer_region_code=region_code,
        year=year, sequence=sequence, issued_at=now, verification_code=code, task_id=task_id,
        content={**content, "title": title, "number": number, "issuer": name, "date": chinese_date(now),
                 "case_number": case.number, "case_title": case.title, "applicant": facts.applicant,
                 "applied": facts.applied,
                 "verification_code": code, "verify_url": public_url(f"/verify/{code}")})
    db.session.add(document)  # listed on the case page (文书); not a timeline event: the decision is one already
    return document


DAY_COUNTING = "自受理之次日起计算"  # 行政许可法 §82, 民法典 §201: days count from the day after receipt
CLOCK_COUNTING = "自受理时起连续计算"  # an ISO duration runs on the wall clock from the moment of receipt
MIXED_COUNTING = "按日计的时限自受理之次日起计算，按小时计的时限自受理时起连续计算"


def counting_words(limits: list[Limit]) -> str:
    """How the limits a document states are counted: from the day after receipt (days), on the wall clock from
    receipt (durations), or each its own way."""
    kinds = {limit.unit == "duration" for limit in limits}
    if kinds == {True}:
        return CLOCK_COUNTING
    return MIXED_COUNTING if kinds == {True, False} else DAY_COUNTING


def _limits_text(case: Case) -> dict[str, str]:
    """The procedure's limits in words, and how they are counted (`counted`: from the day after receipt, or on
    the wall clock from receipt for an ISO duration)."""
    props = manifest_of(case.procedure_version_id).get("properties", {}) or {}
    found, limits = {}, []
    for key, name in (("statutoryLimit", "statutory"), ("committedLimit", "committed")):
        limit = parse_limit(str(props.get(key) or ""))
        if limit is not None:
            found[name] = limit_words(limit)
            limits.append(limit)
    if limits:
        found["counted"] = counting_words(limits)
    return found


def issue_acceptance(case: Case, open_tasks: Sequence[Task]) -> CaseDocument | None:
    """受理通知书, once per receipt (an application amended after a refusal is received anew and told its new
    deadline; the earlier notice stays as it was), when the application reached an authority (the region of its
    first open step of `open_tasks`: the case's open task rows after the step, oldest first, steps.StepOutcome);
    none for a case that no authority receives."""
    step = next((t for t in open_tasks if t.scope != "applicant"), None)
    if step is None:  # decided at once without an authority (an employer's own deregistration): no receipt
        return None
    facts = _facts(case, step.region_code or case.region_code)
    if facts.issued:  # first: an applicant's every resubmission asks, and the case's starter need not be read
        return None
    if not facts.applied:  # started by an authority (a spot check of the enterprise): nothing was applied for
        return None
    due = case.statutory_due_at or case.due_at
    clock = db.session.get(CaseClock, case.id)
    return _issue(case, ACCEPTANCE, KINDS[ACCEPTANCE][2], facts, None, {
        "received": chinese_date(case.received_at or utcnow()), "limits": _limits_text(case),
        "due": chinese_date(due) if due else "",
        # counted across a year whose holidays are not published yet: the date is said to be provisional
        "due_provisional": bool(clock is not None and clock.provisional)})


def _plain_title(text: str) -> str:
    """A choice's title without its bracketed hint: 不予注销（退回申请人）, Refuse the deregistration (back to …)."""
    return re.sub(r"（[^）]*）|\s*\([^)]*\)", "", text).strip()


def issue_for_decision(case: Case, task: Task, actor: Actor, outcome: Outcome) -> CaseDocument | None:
    """补正告知书, 不予…决定书, 办结通知 or 审核决定书 for an authority's decision (each once per task); for a
    decision whose choice says "x-document": "sanction" (a spot check's finding of false data) a 处理决定书, which
    states the measures and how to appeal them."""
    decision = outcome.decision
    kind = BY_NOTICE[outcome.kind]
    if kind == COMPLETION and decision is not None and decision.document == SANCTION:
        kind = SANCTION
    facts = _facts(case, task.region_code or case.region_code, actor, task.id, kind)
    if facts.issued:
        return None
    # What the reviewer typed, as every other reader sees it: resident ID numbers and phones masked (the document
    # is downloaded, printed and forwarded by all the enterprise's operators; the persons it names are third parties).
    content: dict[str, Any] = {"decision": decision.title, "comment": mask_shown_text(decision.comment or ""),
                               "items": decision.items,
                               "ground": decision.ground} if decision else {"items": []}
    title = KINDS[kind][2]
    if kind == SUPPLEMENT_DOC:
        assert outcome.due is not None  # classify computed it for the notice
        due, words = outcome.due
        content |= {"due": chinese_date(due), "within": words}
    elif kind == REFUSAL:
        title = f"{_plain_title(decision.title)}决定书" if decision else title
        content |= {"review_body": appeal_body(facts.issuer), "may_amend": outcome.waiting is not None}
        if decision:  # the decision as the document states it: "不予注销", not the form's "不予注销（退回申请人）"
            content["decision"] = _plain_title(decision.title)
            if decision.title_en:  # how the English pages name the document (its text stays Chinese)
                content["title_en"] = "Decision: " + _plain_title(decision.title_en)
    elif kind == SANCTION:
        assert decision is not None  # a sanction is a decision's choice
        content |= {"decision": _plain_title(decision.title), "details": decision.details,
                    "review_body": appeal_body(facts.issuer)}
        if decision.title_en:
            content["title_en"] = "Decision: " + _plain_title(decision.title_en)
    else:
        content |= _approval_content(case, kind, outcome)
    return _issue(case, kind, title, facts, task.id, content)


def _approval_content(case: Case, kind: str, outcome: Outcome) -> dict[str, Any]:
    """What a 审核决定书 (decided now; the case goes on at its current step and completes later) or a 办结通知
    states beside the decision."""
    decision = outcome.decision
    if kind == DECISION:
        content = {"decided": chinese_date(utcnow()), "outcome": decision.title if decision else "",
                   "pending": case.current_step or ""}
        if decision is not None and decision.title_en:  # how the English pages name it (its text stays Chinese)
            content["title_en"] = "Decision: " + _plain_title(decision.title_en)
        return content
    # (an authority's own case, a spot check that found nothing, is not "your application": the template says so)
    return {"completed": chinese_date(case.completed_at or utcnow()),
            "outcome": decision.title if decision else "已办结",
            "results": [mask_shown_text(line) for line in outcome.results]}
