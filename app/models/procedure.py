"""Deployed procedures, their immutable versions (BPMN, DMN, forms and lanes as deployed), and the record of
which version was made current when, by whom and why."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class VersionSource(enum.StrEnum):
    """Where a version's files came from: `bpmn/` and `forms/` on the server (flask procedures deploy, make
    run), the REST API (a procedure repository's CI, tools), or the analysts' pages."""

    FILES = "files"
    API = "api"
    PAGES = "pages"


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # the BPMN process id
    name: Mapped[str] = mapped_column(String(200))
    # The version new cases start on: decided in the product (a deploy, or an analyst making an earlier or
    # later version current again), not necessarily the highest number.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_versions.id", use_alter=True)
    )

    current_version: Mapped[ProcedureVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined"
    )


class ProcedureVersion(Base):
    """One deployed content of a procedure; running cases stay on the version they started with."""

    __tablename__ = "procedure_versions"
    __table_args__ = (
        UniqueConstraint("procedure_id", "version"),
        UniqueConstraint("procedure_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    # {"bpmn/x.bpmn": "<xml>", "forms/y.json": "{...}", ...}: everything the version runs on.
    files: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)  # large: loaded when parsed
    # Parsed facts the services need without the engine: prefix, start roles, task metadata.
    # (Read through services.procedures.versions.manifest_of: cached per process, not loaded with the row.)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    lib_version: Mapped[str] = mapped_column(String(20))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)  # the change note (required from the API and the pages)
    source: Mapped[str] = mapped_column(String(10), default=VersionSource.FILES, server_default=VersionSource.FILES)

    procedure: Mapped[Procedure] = relationship(foreign_keys=[procedure_id], lazy="joined")


class ProcedureChangeKind(enum.StrEnum):
    DEPLOYED = "deployed"            # a new version stored and made current
    MADE_CURRENT = "made_current"    # an existing version made current (a rollback, or a redeploy of it)
    CASE_MIGRATED = "case_migrated"  # a running case moved from one version to another


class ProcedureChange(Base):
    """The procedure's audit log: which version became current (or which case moved) when, by whom, why."""

    __tablename__ = "procedure_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    version_id: Mapped[int] = mapped_column(ForeignKey("procedure_versions.id"))  # current after it / target
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_versions.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by: Mapped[str | None] = mapped_column(String(64))  # a user name, or "cli" / "demo" for the server
    note: Mapped[str | None] = mapped_column(Text)
