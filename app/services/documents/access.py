"""Who gets a document: whoever may see its case (object-level: the case first, then the document of that
case), each download logged in the security log; and the public check of a verification code."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from app.errors import DocumentNotFound
from app.extensions import db
from app.models import Actor, Case, CaseDocument
from app.policy import require_case_visible
from app.services import audit
from app.services.documents.issue import chinese_date
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
class Verified:
    """What the public verification page confirms: nothing about the applicant or the persons concerned."""

    number: str
    title: str
    issuer: str
    date: str
    sha256: str | None
    title_en: str | None = None  # a refusal's title in English (from its decision's choice), not in the catalogue


def verify_code(code: str) -> Verified | None:
    clean = code.strip().upper().replace(" ", "")
    if len(clean) == 16 and "-" not in clean:
        clean = "-".join(clean[i:i + 4] for i in range(0, 16, 4))
    document = db.session.scalar(select(CaseDocument).where(CaseDocument.verification_code == clean))
    if document is None:
        return None
    return Verified(document.number, document.title, document.issuer_name, chinese_date(document.issued_at),
                    document.sha256, document.title_en)
