"""What an open case is about (a lock, a person, a performance record, a project): one open case per
subject and kind of application, enforced by the database."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class CaseSubject(Base):
    """A claim of an open case on a subject: the primary key (kind of application, subject) refuses a second
    open case for the same subject even when two submissions race. Rows are removed when the case closes."""

    __tablename__ = "case_subjects"

    # The kind of application that may be open once per subject: a procedure key, or a name that several
    # procedures share (both data-level upgrades: "data_upgrade").
    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)  # "lock:12", "person:5" ...
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
