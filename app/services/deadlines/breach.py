"""Which open cases are late now (红牌), as SQL: overdue with the clock running, or paused after the limit passed.

A case whose clock stands still (补正, an excluded step) reads `paused` whatever it was before (the REST API's
deadline_state), but a limit that passed before the pause stays broken: returning a late case for 补正 must not
take it off the red board. The clock's own moments tell it (its deadline or statutory limit before the moment
it stopped), not the statutory_overdue flag, which the periodic job sets only while the clock runs (a case
returned before the job's next round would be missed) and which a restart after 补正 leaves behind.
The dashboard's counts and lists and the case search's overdue filter share these, so that they agree.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import aliased

from app.models import Case, CaseClock
from app.services.deadlines.limits import OVERDUE, PAUSED

PAUSED_OVERDUE = "paused_overdue"  # no stored state: the dashboard's name for a paused case past its limit


def breached_before_pause() -> ColumnElement[bool]:
    """SQL, of a paused case: its clock stopped after its deadline or its statutory limit had passed (one
    primary-key lookup of the clock per paused case). Its own alias of the clock: a query that joins the clocks
    (the red list reads paused_at) would otherwise correlate it away."""
    clock = aliased(CaseClock)
    return (select(clock.case_id)
            .where(clock.case_id == Case.id, clock.paused_at.is_not(None),
                   or_(Case.due_at < clock.paused_at, Case.statutory_due_at < clock.paused_at))
            .correlate_except(clock).exists())


def late_at_pause(case: Case, clock: CaseClock) -> bool:
    """In Python, for a case and its clock already loaded (the case page): breached_before_pause's rule."""
    paused = clock.paused_at
    return paused is not None and any(due is not None and due < paused for due in (case.due_at, case.statutory_due_at))


def paused_overdue() -> ColumnElement[bool]:
    """SQL: paused (补正, an excluded step) after its limit had passed."""
    return and_(Case.deadline_state == PAUSED, breached_before_pause())


def overdue_now() -> ColumnElement[bool]:
    """SQL: late now (红牌): overdue, or paused after its limit had passed. The IN keeps the deadline_state
    index usable; the clock is read only for the paused rows."""
    return and_(Case.deadline_state.in_((OVERDUE, PAUSED)),
                or_(Case.deadline_state == OVERDUE, breached_before_pause()))
