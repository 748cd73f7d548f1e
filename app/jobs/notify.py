"""deliver_notifications: send committed notifications through the configured channel, and applicants'
notices by SMS and e-mail (one row per channel, services/notifications_delivery.py).

Per notification: claim it (one transaction, committed), send it outside any transaction (no database lock
is held while a gateway answers), record the outcome (another transaction): sent, tried again after a pause,
or given up after about six hours (services/notifications_retry.py; logged as an error, and listed for the
admins on 发送失败的通知, /admin/deliveries). Two workers never send the same notification: only one claim
succeeds (services/notifications.py).
"""
import logging

from flask import current_app

from app.db import transactional
from app.integrations.mail import make_mailer, mask_address
from app.integrations.notify import make_channel
from app.integrations.sms import make_sms_gateway
from app.log_masking import mask_text
from app.services.notifications import FAILED, claim_delivery, finish_delivery, pending_delivery_ids
from app.services.notifications_delivery import (
    ChannelClaim,
    claim_channel_delivery,
    due_deliveries,
    finish_channel_delivery,
)

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
        except Exception as exc:  # a gateway failure: pending again after a pause, failed after several hours
            error = mask_text(str(exc) or type(exc).__name__)
            log.warning("notification %s not delivered (attempt %s): %s", notification_id, claim.attempt, error)
        if transactional(finish_delivery)(claim, error) == FAILED:
            log.error("notification %s given up after %s attempts: %s", notification_id, claim.attempt, error)
        sent += error is None
    return sent + deliver_channel_messages()


def _masked(claim: ChannelClaim, text: str = "") -> str:
    """The address as logs show it, and `text` with the address masked in it."""
    shown = mask_address(claim.address) if claim.channel == "email" else mask_text(claim.address)
    return mask_text(text.replace(claim.address, shown)) if text else shown


def deliver_channel_messages() -> int:
    """Applicants' notices by SMS (the sign-in codes' gateway) and e-mail, each channel on its own."""
    sms, mailer = make_sms_gateway(current_app.config), make_mailer(current_app.config)
    sent = 0
    for delivery_id in transactional(due_deliveries)():
        claim = transactional(claim_channel_delivery)(delivery_id)
        if claim is None:
            continue
        error = None
        try:
            if claim.channel == "sms":
                sms.send(claim.address, claim.text)
            else:
                mailer.send(claim.address, claim.subject, claim.text)
        except Exception as exc:  # the gateway or server failed: retried after a pause, given up after hours
            error = _masked(claim, str(exc) or type(exc).__name__)
            log.warning("%s to %s not delivered (attempt %s): %s", claim.channel, _masked(claim), claim.attempt,
                        error)
        if transactional(finish_channel_delivery)(claim, error) == FAILED:
            log.error("%s to %s given up after %s attempts: %s", claim.channel, _masked(claim), claim.attempt, error)
        sent += error is None
    return sent
