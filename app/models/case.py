"""A case (办件): one run of a procedure version for an applicant, with its status and summary data."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.identity import Organisation, User
from app.models.procedure import ProcedureVersion

if TYPE_CHECKING:
    from app.models.clock import CaseClock
    from app.models.workflow_state import WorkflowState


class CaseStatus(enum.StrEnum):
    RUNNING = "running"
    WAITING_FOR_APPLICANT = "waiting_for_applicant"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"
    ERROR = "error"


CASE_STATUS_TITLES = {
    CaseStatus.RUNNING: "办理中",
    CaseStatus.WAITING_FOR_APPLICANT: "待申请人处理",
    CaseStatus.COMPLETED: "已办结",
    CaseStatus.WITHDRAWN: "已撤回",
    CaseStatus.TERMINATED: "已终止",
    CaseStatus.ERROR: "异常",
}

OPEN_STATUSES = (CaseStatus.RUNNING, CaseStatus.WAITING_FOR_APPLICANT, CaseStatus.ERROR)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_region_status", "region_code", "status"),
        Index("ix_cases_applicant_status", "applicant_org_id", "status"),
        # SLA dashboard (services/dashboard): finished in a period, received in a period, procedure by id;
        # covering, so that PostgreSQL answers from the index alone (docs/performance-dashboard.md).
        Index("ix_cases_dashboard_finished", "finished_at", "status", "procedure_key", "region_code",
              "deadline_state", "received_at"),
        Index("ix_cases_dashboard_received", "received_at", "region_code"),
        Index("ix_cases_dashboard_procedure", "id", "procedure_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    procedure_key: Mapped[str] = mapped_column(String(100), index=True)
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_versions.id"))
    status: Mapped[str] = mapped_column(String(30), index=True, default=CaseStatus.RUNNING)
    title: Mapped[str] = mapped_column(String(300))
    applicant_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    # What the applicant and reviewers submitted so far, merged: shown on pages and in the API.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    current_step: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Firing its timers failed this many times in a row; the timer job leaves the case alone until
    # timer_retry_at (backing off), and puts it in 异常 after too many failures (services/cases/timers.py).
    timer_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    timer_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Case-level clocks (committed and statutory limits of the whole procedure) and their state.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statutory_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline_state: Mapped[str | None] = mapped_column(String(20), index=True)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # the draft was opened
    # The application reached the authority (its first authority task opened, or it was decided at once);
    # None while it is a draft. Handling times and "received" counts start here (services/deadlines/clocks.py).
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the authority's work on the case ended: its decision, where the case's clock stopped for one (a
    # temporary unlock decided on day 1 completes when the lock returns weeks later), else its completion; None
    # while it is worked on. The dashboards count handling times and 办结 by it (services/dashboard/finished.py).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Optimistic locking: an UPDATE that finds another version fails (-> 409 for the loser).
    __mapper_args__ = {"version_id_col": lock_version}

    # Loaded on use (once per session): lists of cases and tasks stay light.
    procedure_version: Mapped[ProcedureVersion] = relationship(lazy="select")
    # One row each (a step loads them with the case: services/tasks/work.py, services/cases/timers.py).
    workflow_state: Mapped[WorkflowState | None] = relationship(lazy="select", uselist=False, passive_deletes=True)
    clock: Mapped[CaseClock | None] = relationship(back_populates="case", lazy="select", uselist=False,
                                                   passive_deletes=True)
    applicant: Mapped[Organisation] = relationship(lazy="joined")
    started_by: Mapped[User] = relationship(lazy="select")


class CaseNumberCounter(Base):
    """Per prefix and year sequence for human-readable case numbers (JS-2026-000123)."""

    __tablename__ = "case_number_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
