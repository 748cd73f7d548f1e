"""deliver_notifications: send committed notifications through the configured channel, one per transaction."""
import logging

from flask import current_app

from app.db import unit_of_work
from app.integrations.notify import make_channel
from app.services.notifications import deliver, pending_delivery_ids

log = logging.getLogger(__name__)


def deliver_notifications() -> int:
    channel = make_channel(current_app.config)
    with unit_of_work():
        ids = pending_delivery_ids()
    sent = 0
    for notification_id in ids:
        with unit_of_work():
            sent += deliver(notification_id, channel)
    return sent
