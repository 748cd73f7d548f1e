"""Applications finished (办结) in a period, each at the moment the authority's work on it ended.

A case is finished at `cases.finished_at`: its decision where the case's clock stopped for one
(services/deadlines/clocks.py), else its completion. A temporary unlock (临时解锁) is decided by the city in a
day and completes by itself weeks later when the lock returns; what follows the decision is not the authority's
time (docs/operations.md), so the dashboard counts it on the day of the decision, with the decision's handling
time, even while it still waits. A decided case that still waits is finished, and so is one withdrawn after its
decision (a refusal the applicant did not amend); one withdrawn or terminated before a decision has no
`finished_at`.

A refused application amended and applied for again on the same case is a row of `earlier_applications`: it
counts as well, with its own receipt and outcome, and the case row counts the new application.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Subquery, select, union_all

from app.models import Case, EarlierApplication
from app.policy import region_scope


def finished_cases(start: datetime, end: datetime, region: str, received_only: bool = True) -> Subquery:
    """Rows (procedure_key, region_code, deadline_state, received_at, finished_at) of the applications of
    `region` finished in [start, end), only those with a receipt unless `received_only` is off (the trend's
    count). One range of ix_cases_dashboard_finished and one of ix_earlier_applications_finished."""
    received: tuple[ColumnElement[bool], ...] = (Case.received_at.is_not(None),) if received_only else ()
    cases = (select(Case.procedure_key, Case.region_code, Case.deadline_state, Case.received_at, Case.finished_at)
             .where(Case.finished_at >= start, Case.finished_at < end, region_scope(Case.region_code, region),
                    *received))
    earlier = EarlierApplication
    refused = (select(earlier.procedure_key, earlier.region_code, earlier.deadline_state, earlier.received_at,
                      earlier.finished_at)
               .where(earlier.finished_at >= start, earlier.finished_at < end,
                      region_scope(earlier.region_code, region)))
    return union_all(cases, refused).subquery("finished")


def received_cases(start: datetime, end: datetime, region: str) -> Subquery:
    """Rows (received_at) of the applications of `region` received in [start, end): the cases' (the
    application in hand) and those refused and applied for again on the same case."""
    cases = select(Case.received_at).where(Case.received_at >= start, Case.received_at < end,
                                           region_scope(Case.region_code, region))
    refused = (select(EarlierApplication.received_at)
               .where(EarlierApplication.received_at >= start, EarlierApplication.received_at < end,
                      region_scope(EarlierApplication.region_code, region)))
    return union_all(cases, refused).subquery("received")
