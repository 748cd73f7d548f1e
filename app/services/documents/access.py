"""Who gets a document: whoever may see its case (object-level: the case first, then the document of that
case), each download logged in the security log; and the public check of a verification code.

A 不予…决定书 whose applicant amended and applied again on the same case (the case went on after the refusal, and
the refused application became an `earlier_applications` row) is the decision on that earlier application only: once
a later decision is issued on the case (another 不予…决定书, the 办结通知, a 审核决定书 or a 处理决定书), the
public check still confirms the refusal as genuine, and says that it was superseded, by which document and on which
date (the first decision after it: each application's decision is superseded by the next one's). A refusal that
ended its case has nothing after it; a new application not decided yet leaves the refusal in force. Read from the
documents themselves: a decision issued on the case after the refusal can only follow an application made again
(a refusal either ends the case or waits for the applicant), and the documents exist for every procedure, whereas an
`earlier_applications` row is written only where the procedure keeps a case clock."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from app.errors import DocumentNotFound
from app.extensions import db
from app.models import Actor, Case, CaseDocument
from app.policy import require_case_visible
from app.services import audit
from app.services.documents.issue import COMPLETION, DECISION, REFUSAL, SANCTION, chinese_date
from app.services.documents.render import ensure_pdf

log = logging.getLogger("app.security")


def list_documents(actor: Actor, case_id: int) -> list[CaseDocument]:
    require_case_visible(actor, db.session.get(Case, case_id))
    return list(db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id)
                                   .order_by(CaseDocument.issued_at, CaseDocument.id)))


def download_document(actor: Actor, case_id: int, document_id: int) -> tuple[CaseDocument, bytes]:
    """(the document, its PDF); a document of a case the actor may not see, or of another case, is a 404."""
    require_case_visible(actor, db.session.get(Case, case_id))
    document = db.session.get(CaseDocument, document_id)
    if document is None or document.case_id != case_id:
        raise DocumentNotFound()
    pdf = ensure_pdf(document)
    log.info("document %s (%s) of case %s downloaded by user %s", document.number, document.kind, case_id, actor.id)
    audit.record(actor, "document.downloaded", "case_document", document.number, case_id=case_id, kind=document.kind)
    return document, pdf


@dataclass(frozen=True)
class Superseding:
    """The later decision that superseded a refusal, as the public check names it: nothing personal either."""

    number: str
    title: str
    date: str
    title_en: str | None = None


@dataclass(frozen=True)
class Verified:
    """What the public verification page confirms: nothing about the applicant or the persons concerned."""

    number: str
    title: str
    issuer: str
    date: str
    sha256: str | None
    title_en: str | None = None  # a refusal's title in English (from its decision's choice), not in the catalogue
    superseded_by: Superseding | None = None  # a refusal answered by a new application, since decided


# The decisions that supersede a refusal issued before them on the same case (a 补正告知书 is not a decision; a
# 审核决定书 is one: an approval whose case still waits for another system, decided all the same).
_DECISIONS = (REFUSAL, COMPLETION, SANCTION, DECISION)
_NEXT_DECISION = (select(CaseDocument).where(CaseDocument.case_id == bindparam("case"),
                                             CaseDocument.kind.in_(_DECISIONS), CaseDocument.id > bindparam("after"))
                  .order_by(CaseDocument.id).limit(1))


def superseding_decision(document: CaseDocument) -> CaseDocument | None:
    """The decision that superseded this refusal (the first decision issued on its case after it), or None: not a
    refusal, or still the case's decision in force. Documents are numbered (their ids) in the order they were
    issued: a case's steps run one after the other."""
    if document.kind != REFUSAL:
        return None
    return db.session.scalar(_NEXT_DECISION, {"case": document.case_id, "after": document.id})


def verify_code(code: str) -> Verified | None:
    clean = code.strip().upper().replace(" ", "")
    if len(clean) == 16 and "-" not in clean:
        clean = "-".join(clean[i:i + 4] for i in range(0, 16, 4))
    document = db.session.scalar(select(CaseDocument).where(CaseDocument.verification_code == clean))
    if document is None:
        return None
    later = superseding_decision(document)
    superseded = (Superseding(later.number, later.title, chinese_date(later.issued_at), later.title_en)
                  if later is not None else None)
    return Verified(document.number, document.title, document.issuer_name, chinese_date(document.issued_at),
                    document.sha256, document.title_en, superseded)
