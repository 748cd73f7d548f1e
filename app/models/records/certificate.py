"""Personnel certificates (人员证书): registered personnel, 三类人员, 八大员, special operations, ..."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class CertificateKind(enum.StrEnum):
    REGISTERED = "registered"              # 注册人员
    THREE_TYPES = "three_types"            # 三类人员
    EIGHT_STAFF = "eight_staff"            # 八大员
    SPECIAL_OPERATION = "special_operation"  # 特种作业人员
    WITNESS_SAMPLER = "witness_sampler"    # 见证取样员
    SUPERVISOR = "supervisor"              # 监理员


CERTIFICATE_KIND_TITLES = {
    CertificateKind.REGISTERED: "注册人员",
    CertificateKind.THREE_TYPES: "三类人员",
    CertificateKind.EIGHT_STAFF: "八大员",
    CertificateKind.SPECIAL_OPERATION: "特种作业人员",
    CertificateKind.WITNESS_SAMPLER: "见证取样员",
    CertificateKind.SUPERVISOR: "监理员",
}


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(60), unique=True)
    specialty: Mapped[str | None] = mapped_column(String(60))  # e.g. 建筑工程, 安全员(C证)
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
