"""Documents issued on a case (受理通知书, 补正告知书, 不予许可/不予同意决定书, 办结通知, 审核决定书,
处理决定书): numbered per year, issuer and kind, verifiable by their code without personal data, rendered to PDF
from what they state. A 审核决定书 (kind `decision`) states an approval whose case still waits for another system
(a B→A upgrade waiting for the national platform's acknowledgement); its 办结通知 follows when the case completes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class CaseDocument(Base):
    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # acceptance | supplement | refusal | completion | decision | sanction (documents/issue.KINDS)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))  # 受理通知书, 不予解锁决定书 ...
    number: Mapped[str] = mapped_column(String(80), unique=True)  # 南宁市住房和城乡建设局受〔2026〕3号
    issuer_name: Mapped[str] = mapped_column(String(100))
    issuer_region_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Printed on the document; /verify/<code> confirms number, title, issuer and date (nothing personal).
    verification_code: Mapped[str] = mapped_column(String(24), unique=True)
    # What the document states, fixed when it was issued; the PDF is rendered from it (once, then kept).
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Issued by the step of this task (None: by the receipt of the application); one of a kind per task.
    task_id: Mapped[str | None] = mapped_column(String(36))

    @property
    def title_en(self) -> str | None:
        """A refusal's title in English, from its decision's choice (not in the catalogue); None for the others."""
        english = self.content.get("title_en") if isinstance(self.content, dict) else None
        return str(english) if english else None
