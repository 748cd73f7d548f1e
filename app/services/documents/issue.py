"""Issuing documents on a case, in the step's transaction: numbered per year, issuer and kind (one atomic
upsert on the case-number counters: the series "D" + kind letter + the issuer's region code), with a
verification code, and what they state fixed as `content` (the PDF is rendered from it, see render.py).

When: 受理通知书 when the application reaches an authority; 补正告知书, 不予…决定书 and 办结通知 with the
applicant's notices (services/notifications_applicant.classify), once per deciding task.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.db import UpsertStatement, table_of, utcnow
from app.extensions import db
from app.models import (
    PROVINCE_CODE,
    Actor,
    Case,
    CaseDocument,
    CaseNumberCounter,
    Organisation,
    OrganisationKind,
    Region,
    Task,
)
from app.services.deadlines.limits import LOCAL_TZ, parse_limit
from app.services.notifications_applicant import DONE, REFUSED, SUPPLEMENT, Outcome
from app.services.procedures.versions import manifest_of

ACCEPTANCE, SUPPLEMENT_DOC, REFUSAL, COMPLETION = "acceptance", "supplement", "refusal", "completion"
KINDS = {ACCEPTANCE: ("受", "A", "受理通知书"), SUPPLEMENT_DOC: ("补", "S", "补正告知书"),
         REFUSAL: ("决", "R", "不予许可决定书"), COMPLETION: ("结", "C", "办结通知")}
BY_NOTICE = {SUPPLEMENT: SUPPLEMENT_DOC, REFUSED: REFUSAL, DONE: COMPLETION}
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


def _region(code: str) -> Region | None:
    return db.session.get(Region, code)


def issuer_of(region_code: str, actor: Actor | None = None) -> tuple[str, str]:
    """(name, region code) of the issuing authority: the deciding user's authority, else the region's."""
    organisation = db.session.get(Organisation, actor.organisation_id) if actor is not None else None
    if organisation is not None and organisation.kind == OrganisationKind.AUTHORITY:
        return organisation.name, organisation.region_code
    name = db.session.scalar(select(Organisation.name).where(
        Organisation.kind == OrganisationKind.AUTHORITY, Organisation.region_code == region_code).limit(1))
    region = _region(region_code)
    return name or f"{region.name if region else ''}住房和城乡建设主管部门", region_code


def short_issuer(region_code: str) -> str:
    """南宁市 -> 南宁住建, the province -> 桂建: the head of a document number."""
    if region_code == PROVINCE_CODE:
        return "桂建"
    region = _region(region_code)
    name = region.name if region else region_code
    for suffix in ("市", "区", "县"):
        name = name.removesuffix(suffix)
    return f"{name}住建"


def appeal_body(region_code: str) -> str:
    """Who reviews a decision of this authority (行政复议法 2023, art. 24: the government at its level)."""
    region = _region(region_code)
    return f"{region.name if region else '本级'}人民政府"


def _issue(case: Case, kind: str, title: str, issuer: tuple[str, str], task_id: str | None,
           content: dict[str, Any]) -> CaseDocument:
    now = utcnow()
    year = now.astimezone(LOCAL_TZ).year
    letter_zh, letter, _default = KINDS[kind]
    name, region_code = issuer
    sequence = db.session.execute(_NEXT_VALUE(db.session()), {
        "prefix": f"D{letter}{region_code}"[:10], "year": year, "last_value": 1}).scalar_one()
    number = f"{short_issuer(region_code)}{letter_zh}〔{year}〕{sequence}号"
    code = new_code()
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    document = CaseDocument(
        case_id=case.id, kind=kind, title=title, number=number, issuer_name=name, issuer_region_code=region_code,
        year=year, sequence=sequence, issued_at=now, verification_code=code, task_id=task_id,
        content={**content, "title": title, "number": number, "issuer": name, "date": chinese_date(now),
                 "case_number": case.number, "case_title": case.title, "applicant": case.applicant.name,
                 "verification_code": code, "verify_url": f"{base}/verify/{code}"})
    db.session.add(document)  # listed on the case page (文书); not a timeline event: the decision is one already
    return document


def _limits_text(case: Case) -> dict[str, str]:
    props = manifest_of(case.procedure_version_id).get("properties", {}) or {}
    found = {}
    for key, name in (("statutoryLimit", "statutory"), ("committedLimit", "committed")):
        limit = parse_limit(str(props.get(key) or ""))
        if limit is not None:
            found[name] = f"{limit.amount} 个工作日" if limit.unit == "working_days" else f"{limit.amount} 日"
    return found


def issue_acceptance(case: Case, open_tasks: Sequence[Task]) -> CaseDocument | None:
    """受理通知书, once, when the application reached an authority (the region of its first open step of
    `open_tasks`: the case's open task rows after the step, oldest first, steps.StepOutcome); none for a case
    that no authority receives."""
    if db.session.scalar(select(CaseDocument.id).where(CaseDocument.case_id == case.id,
                                                       CaseDocument.kind == ACCEPTANCE).limit(1)):
        return None
    step = next((t for t in open_tasks if t.scope != "applicant"), None)
    if step is None:  # decided at once without an authority (an employer's own deregistration): no receipt
        return None
    region_code = step.region_code or case.region_code
    due = case.statutory_due_at or case.due_at
    return _issue(case, ACCEPTANCE, KINDS[ACCEPTANCE][2], issuer_of(region_code), None, {
        "received": chinese_date(case.received_at or utcnow()), "limits": _limits_text(case),
        "due": chinese_date(due) if due else ""})


def _plain_title(text: str) -> str:
    return re.sub(r"（[^）]*）", "", text).strip()


def issue_for_decision(case: Case, task: Task, actor: Actor, outcome: Outcome) -> CaseDocument | None:
    """补正告知书, 不予…决定书 or 办结通知 for an authority's decision (once per task)."""
    kind = BY_NOTICE[outcome.kind]
    if db.session.scalar(select(CaseDocument.id).where(CaseDocument.case_id == case.id,
                                                       CaseDocument.task_id == task.id).limit(1)):
        return None
    decision = outcome.decision
    issuer = issuer_of(task.region_code or case.region_code, actor)
    content: dict[str, Any] = {"decision": decision.title, "comment": decision.comment, "items": decision.items,
                               "ground": decision.ground} if decision else {"items": []}
    title = KINDS[kind][2]
    if kind == SUPPLEMENT_DOC:
        assert outcome.due is not None  # classify computed it for the notice
        due, words = outcome.due
        content |= {"due": chinese_date(due), "within": words}
    elif kind == REFUSAL:
        title = f"{_plain_title(decision.title)}决定书" if decision else title
        content |= {"review_body": appeal_body(issuer[1]), "may_amend": outcome.waiting is not None}
    else:
        content |= {"completed": chinese_date(case.completed_at or utcnow()),
                    "outcome": decision.title if decision else "已办结"}
    return _issue(case, kind, title, issuer, task.id, content)
