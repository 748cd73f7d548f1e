"""fire_due_timers: each due case in its own unit of work; a lost race is not an error, a failure stays local
(the case is backed off, and put in 异常 after repeated failures: services/cases/timers.py)."""
import logging

from app.db import transactional
from app.errors import StaleCase
from app.services.cases.timers import due_case_ids, fire_case_timers, note_timer_failure

log = logging.getLogger(__name__)


def fire_due_timers() -> int:
    fired = 0
    for case_id in transactional(due_case_ids)():
        try:
            fired += transactional(fire_case_timers)(case_id)
        except StaleCase:
            log.info("case %s moved on meanwhile; its timers are recomputed by that step", case_id)
        except Exception:  # rolled back whole; the case waits before the next try, other cases go on
            log.exception("firing the timers of case %s failed", case_id)
            transactional(note_timer_failure)(case_id)
    return fired
