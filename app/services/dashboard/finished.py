"""Cases finished (办结) in a period, each at the moment the authority's work on it ended: `cases.finished_at`,
its decision where the case's clock stopped for one (services/deadlines/clocks.py), else its completion.

A temporary unlock (临时解锁) is decided by the city in a day and completes by itself weeks later when the lock
returns; what follows the decision is not the authority's time (docs/operations.md), so the dashboard counts
it on the day of the decision, with the decision's handling time, even while it still waits. A decided case
that still waits is finished; one withdrawn or terminated is not. One range of ix_cases_dashboard_finished.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Subquery, select

from app.models import OPEN_STATUSES, Case, CaseStatus
from app.policy import region_scope

FINISHED_STATUSES = (CaseStatus.COMPLETED, *OPEN_STATUSES)


def finished_cases(start: datetime, end: datetime, region: str, received_only: bool = True) -> Subquery:
    """Rows (procedure_key, region_code, deadline_state, received_at, finished_at) of the cases of `region`
    finished in [start, end), only those with a receipt unless `received_only` is off (the trend's count)."""
    received: tuple[ColumnElement[bool], ...] = (Case.received_at.is_not(None),) if received_only else ()
    return (select(Case.procedure_key, Case.region_code, Case.deadline_state, Case.received_at, Case.finished_at)
            .where(Case.finished_at >= start, Case.finished_at < end, Case.status.in_(FINISHED_STATUSES),
                   region_scope(Case.region_code, region), *received)
            .subquery("finished"))
