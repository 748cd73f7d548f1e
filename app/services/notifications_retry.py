"""When a notification's SMS or e-mail that failed is tried again, and when it is given up: one policy for every
delivery, the officials' channel (GJY_NOTIFY_CHANNEL: escalations, reminders, services/notifications.py) and
the applicants' SMS and e-mail (services/notifications_delivery.py).

The pause doubles from a minute (1, 2, 4, ... 32 minutes) and stays at an hour from then on; the twelfth failed
attempt gives the delivery up, about six hours after the first (1+2+4+8+16+32 minutes, then 5 hours): an outage
of the gateway of a few hours delays a message, loses none. A delivery given up is `failed`, listed for the
admins of its user's region with a re-send (services/notifications_admin.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
MAX_ATTEMPTS = 12


def pause_after(attempt: int) -> timedelta:
    """The pause after failed attempt number `attempt` (1 for the first)."""
    doublings = min(max(attempt - 1, 0), 12)  # 2**12 minutes is far beyond the longest pause already
    return min(FIRST_PAUSE * 2 ** doublings, LONGEST_PAUSE)


def retry_at(attempt: int, now: datetime) -> datetime | None:
    """When to try again after failed attempt number `attempt`; None: give it up."""
    return None if attempt >= MAX_ATTEMPTS else now + pause_after(attempt)


# From the first attempt to the last (given up): 6 hours 3 minutes.
GIVEN_UP_AFTER = sum((pause_after(attempt) for attempt in range(1, MAX_ATTEMPTS)), timedelta())
