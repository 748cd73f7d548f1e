"""refresh_deadline_states: provisional deadlines whose years are known by now are recomputed, then the
warning / overdue transitions and escalation (notifications are delivered by deliver_notifications)."""
import logging

from app.db import transactional
from app.services.deadlines.clocks import recompute_provisional
from app.services.deadlines.escalation import refresh_deadline_states as refresh_states

log = logging.getLogger(__name__)


@transactional
def refresh_deadline_states() -> int:
    """Returns the number of state transitions (warning, overdue, statutory flag)."""
    # A deadline computed as provisional by a process that read the calendar just before another one
    # confirmed the year (or before the year was seeded there) is put right here, within a round.
    recomputed = recompute_provisional(known_only=True)
    moved = refresh_states()
    if recomputed:
        log.info("provisional deadlines of %s case(s) recomputed on the entered calendar", recomputed)
    if moved:
        log.info("deadline states: %s transition(s)", moved)
    return moved
