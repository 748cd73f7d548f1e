"""deliver_notifications: send committed notifications through the configured channel.

Per notification: claim it (one transaction, committed), send it outside any transaction (no database lock
is held while a gateway answers), record the outcome (another transaction). Two workers never send the
same notification: only one claim succeeds (services/notifications.py).
"""
import logging

from flask import current_app

from app.db import transactional
from app.integrations.notify import make_channel
from app.services.notifications import claim_delivery, finish_delivery, pending_delivery_ids

log = logging.getLogger(__name__)


def deliver_notifications() -> int:
    channel = make_channel(current_app.config)
    sent = 0
    for notification_id in transactional(pending_delivery_ids)():
        claim = transactional(claim_delivery)(notification_id)
        if claim is None:  # another worker has it, or sent it already
            continue
        error = None
        try:
            channel.send(claim.message)
        except Exception as exc:  # a gateway failure: pending again (retried next round), failed after a few
            error = str(exc) or type(exc).__name__
            log.warning("notification %s not delivered (attempt %s): %s", notification_id, claim.attempt, error)
        transactional(finish_delivery)(claim, error)
        sent += error is None
    return sent
