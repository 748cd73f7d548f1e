"""Sending SMS from a page request: after the request's unit of work has committed (the database keeps
only the code's hash; a refused request sends nothing). A gateway failure is logged; the page offers to
send again. Links in what is sent are on the configured public address."""
from __future__ import annotations

import logging
from typing import Any

from flask import Response, after_this_request, current_app, request, url_for

from app.config import public_url
from app.integrations.sms import SmsUndelivered, make_sms_gateway
from app.log_masking import mask_text

log = logging.getLogger("app.security")


def send_after_commit(phone: str, text: str) -> None:
    """Hand the message to the configured gateway once the response is ready (the commit is behind us)."""

    @after_this_request
    def send(response: Response) -> Response:
        if response.status_code < 400:
            try:
                make_sms_gateway(current_app.config).send(phone, text)
            except SmsUndelivered as exc:
                log.error("SMS to %s not delivered: %s", mask_text(phone), exc)
        return response


def public_link(endpoint: str, **values: Any) -> str:
    """The page's address as sent out (SMS, e-mail): on the configured public address (GJY_PUBLIC_URL), as the
    notices' and documents' links are, never on the Host the request named (anyone may name any)."""
    path = url_for(endpoint, **values)[len(request.script_root):]  # the public address includes any prefix
    return public_url(path)
