"""Construction projects (工程项目) with their national-platform data level."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.identity import Organisation


class DataLevel(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    permit_number: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    construction_unit: Mapped[str | None] = mapped_column(String(200))
    entry_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)  # 原录入单位
    data_level: Mapped[str] = mapped_column(String(1))
    stage: Mapped[str] = mapped_column(String(20), default="in_progress")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry_org: Mapped[Organisation] = relationship(lazy="joined")
