"""Project personnel locks (项目人员锁定): PM, safety officer, chief supervisor bound to a project."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.records.person import Person
from app.models.records.project import Project


class LockRole(enum.StrEnum):
    PROJECT_MANAGER = "project_manager"      # 项目经理
    SAFETY_OFFICER = "safety_officer"        # 安全员
    CHIEF_SUPERVISOR = "chief_supervisor"    # 项目总监


LOCK_ROLE_TITLES = {
    LockRole.PROJECT_MANAGER: "项目经理",
    LockRole.SAFETY_OFFICER: "安全员",
    LockRole.CHIEF_SUPERVISOR: "项目总监",
}


class ProjectLock(Base):
    __tablename__ = "project_locks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A temporary unlock ends here; the lock then returns by itself.
    relock_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    person: Mapped[Person] = relationship(lazy="joined")
    project: Mapped[Project] = relationship(lazy="joined")
