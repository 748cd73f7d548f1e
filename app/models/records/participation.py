"""在建项目 registered through project_registration: the participating enterprises (each sees the project in its
in-progress list) and the registration itself (supervision number, stages, the case that approved it)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class ProjectParticipant(Base):
    __tablename__ = "project_participants"
    __table_args__ = (UniqueConstraint("project_id", "enterprise_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))  # construction, supervision, survey, design


class ProjectRegistration(Base):
    __tablename__ = "project_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    construction_unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supervision_number: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)   # scale, investment, stages [{stage, date}]
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
