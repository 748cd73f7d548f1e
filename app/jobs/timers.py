"""fire_due_timers: each due case in its own unit of work; a lost race is not an error, a failure stays local."""
import logging

from app.db import unit_of_work
from app.errors import StaleCase
from app.services.cases.timers import due_case_ids, fire_case_timers

log = logging.getLogger(__name__)


def fire_due_timers() -> int:
    with unit_of_work():
        ids = due_case_ids()
    fired = 0
    for case_id in ids:
        try:
            with unit_of_work():
                fired += fire_case_timers(case_id)
        except StaleCase:
            log.info("case %s moved on meanwhile; its timers are recomputed by that step", case_id)
        except Exception:  # rolled back whole; the next round tries again, other cases go on
            log.exception("firing the timers of case %s failed", case_id)
    return fired
