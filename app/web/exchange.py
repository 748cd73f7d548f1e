"""The admin's data-exchange page (数据交换): per system the queue, oldest pending, failures, dead letters,
last success and inbound results; the outgoing messages by state with a re-send button for dead letters;
the latest inbound messages with their results (in the page's language). Admins only."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import InboundStatus, OutboxStatus
from app.routing import ID
from app.services.exchange import admin as service
from app.services.exchange.results import readable
from app.web.common import page_args
from app.web.i18n import gettext as _

bp = Blueprint("exchange", __name__, url_prefix="/admin/exchange")

STATUS_TITLES = {OutboxStatus.PENDING: "待发送", OutboxStatus.SENDING: "发送中", OutboxStatus.DELIVERED: "已送达",
                 OutboxStatus.DEAD: "发送失败（死信）", InboundStatus.APPLIED: "已应用",
                 InboundStatus.REJECTED: "已拒绝", InboundStatus.CONFLICT: "版本冲突"}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    status = request.args.get("status") if request.args.get("status") in OutboxStatus.ALL else None
    target = request.args.get("target") or None
    page = page_args(request.args.get("page"))
    summaries = service.system_summaries(actor)
    messages, total = service.list_messages(actor, status, target, page)
    inbound, inbound_total = service.list_inbound(actor, per_page=20)
    # Each result as the message it was built from: the page shows it in its language (stored in Chinese).
    results = {m.id: readable(m.result_code, m.result_message) for m in inbound}
    return render_template("exchange/index.html", summaries=summaries, messages=messages, total=total, page=page,
                           per_page=service.PAGE_SIZE, status=status, target=target, inbound=inbound,
                           inbound_total=inbound_total, results=results, statuses=OutboxStatus.ALL,
                           STATUS_TITLES=STATUS_TITLES,
                           systems=dict(service.outbound_systems()),
                           pager_args={k: v for k, v in (("status", status), ("target", target)) if v})


@bp.post(f"/messages/<{ID}:message_id>/resend")
@login_required
def resend(message_id: int) -> ResponseReturnValue:
    service.resend_message(session_actor(), message_id)
    flash(_("报文已重新排队发送"), "info")
    return redirect(url_for("exchange.index", status=OutboxStatus.DEAD))
