"""Deployed procedures and their immutable versions (BPMN, DMN, forms and lanes as deployed)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class Procedure(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # the BPMN process id
    name: Mapped[str] = mapped_column(String(200))
    latest_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_versions.id", use_alter=True)
    )

    latest_version: Mapped[ProcedureVersion | None] = relationship(
        foreign_keys=[latest_version_id], post_update=True, lazy="joined"
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
    notes: Mapped[str | None] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(foreign_keys=[procedure_id], lazy="joined")
