"""Drafts of procedures kept on the server while analysts change them: not deployed, nothing runs on them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class ProcedureDraft(Base):
    """A procedure's files as an analyst is changing them, from a deployed version (`base_version`) or new."""

    __tablename__ = "procedure_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_key: Mapped[str] = mapped_column(String(100), index=True)  # the BPMN process id it deploys as
    title: Mapped[str] = mapped_column(String(200))
    # {"bpmn/x.bpmn": "<xml>", "bpmn/lanes.json": "{...}", "forms/y.json": "{...}"}: what a deploy would post.
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the version it started from (None: new)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=1)  # each save adds one; a stale save is refused
