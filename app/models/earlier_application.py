"""An application refused (不予) and then amended and applied again on the same case.

The case row describes the application in hand: the new one is received when it is submitted again and its
limit starts afresh (services/deadlines/clocks.py), and its decision overwrites the case's `deadline_state` and
`finished_at`. What the refused application was (received, decided, on time or late) is kept here, so that the
SLA dashboards count each application once, each in its week, and a late refusal does not leave the figures
when the applicant applies again (services/dashboard/finished.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class EarlierApplication(Base):
    __tablename__ = "earlier_applications"
    __table_args__ = (
        # The dashboard reads these as it reads cases (ix_cases_dashboard_finished / _received).
        Index("ix_earlier_applications_finished", "finished_at", "procedure_key", "region_code", "deadline_state",
              "received_at"),
        Index("ix_earlier_applications_received", "received_at", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    procedure_key: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the refusal
    deadline_state: Mapped[str | None] = mapped_column(String(20))  # completed_on_time | completed_late
