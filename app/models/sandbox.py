"""Sandbox runs ("try it"): a draft's files run step by step by an analyst playing each role.

Kept apart from cases on purpose: a run is no case (no row in cases, tasks, case_events, clocks, outbox), so no
task list, dashboard, export, search or outgoing message can ever show it. Its handlers run in a savepoint that
is always rolled back. `draft_id` names the analyst's draft (procedure_drafts) the run belongs to: deleting the
draft deletes its runs (services/procedures/sandbox.delete_draft_runs).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class SandboxRun(Base):
    __tablename__ = "sandbox_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_key: Mapped[str] = mapped_column(String(100), index=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The files run ({"bpmn/x.bpmn": "<xml>", ...}) and what deploy's checks made of them.
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{at, kind, bpmn_id, title, role, person, data|result}]: what happened, step by step.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # bpmn id -> who (a name the analyst gave) completed it: the four-eyes and same-reviewer rules.
    persons: Mapped[dict[str, str]] = mapped_column(JSON)
    # The real enterprise the run applies as (its records read, never written); None: the analyst's own
    # organisation. services/procedures/sandbox.py states the policy.
    applicant_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
