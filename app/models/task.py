"""Projection of human tasks: one row per user task the engine made ready, for indexed task lists."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.case import Case
from app.models.identity import User


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_claimable", "region_code", "status", "role", "assignee_id"),
        Index("ix_tasks_assignee_status", "assignee_id", "status"),
        Index("ix_tasks_candidate_org", "candidate_org_id", "status"),
        Index("ix_tasks_done", "completed_by_id", "completed_at"),  # a reviewer's 已办 view, newest first
        # SLA dashboard: steps completed in a period, per step, authority and reviewer (covering).
        Index("ix_tasks_dashboard_completed", "completed_at", "status", "region_code", "bpmn_id",
              "deadline_state", "created_at", "warn_at", "completed_by_id", "case_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task UUID
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    # applicant | case_city | case_region | province (from bpmn/lanes.json)
    scope: Mapped[str] = mapped_column(String(20))
    # Jurisdiction: authority tasks carry a region; applicant tasks carry the applicant organisation.
    region_code: Mapped[str | None] = mapped_column(String(6))
    candidate_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    form_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Deadlines: the committed limit (承诺时限) with its warning point, and the statutory one (法定时限).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statutory_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # on_time | warning | overdue | paused | completed_on_time | completed_late (None: no limit)
    deadline_state: Mapped[str | None] = mapped_column(String(20), index=True)
    # Task-level facts from the diagram (deadline text, allowed decisions, instructions).
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="select")
