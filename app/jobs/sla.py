"""refresh_deadline_states: warning / overdue transitions and escalation, then deliver notifications."""
import logging

from app.db import unit_of_work
from app.services.escalation import refresh_deadline_states as refresh_states

log = logging.getLogger(__name__)


def refresh_deadline_states() -> int:
    with unit_of_work():
        moved = refresh_states()
    if moved:
        log.info("deadline states: %s transition(s)", moved)
    return moved
