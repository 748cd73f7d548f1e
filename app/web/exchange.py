"""The admin's data-exchange pages (数据交换): per system the queue, oldest pending, failures, dead letters,
last success and inbound results; the outgoing messages by state and system with their last error and a re-send
button for a dead letter (and for all of a system's); the received messages, paged, by system and state, with
their results. Stored texts are shown in the page's language. Admins only."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import InboundStatus, OutboxStatus
from app.routing import ID
from app.services.exchange import admin as service
from app.services.exchange.results import readable, readable_error
from app.web.common import last_page, page_args
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
    # Each last error as the message it was built from: the page shows it in its language (stored in Chinese).
    errors = {m.id: readable_error(m.last_error) for m in messages}
    held = service.held_behind(messages)  # waiting for an earlier message of its group: which one
    return render_template("exchange/index.html", summaries=summaries, messages=messages, total=total, page=page,
                           per_page=service.PAGE_SIZE, status=status, target=target, errors=errors,
                           statuses=OutboxStatus.ALL, STATUS_TITLES=STATUS_TITLES, held=held,
                           systems=dict(service.outbound_systems()), titles=service.system_titles(),
                           pager_args={k: v for k, v in (("status", status), ("target", target)) if v})


@bp.get("/inbound")
@login_required
def inbound() -> ResponseReturnValue:
    """Every received message, newest first, by sending system and state, paged."""
    actor = session_actor()
    titles = service.system_titles()
    status = request.args.get("status") if request.args.get("status") in InboundStatus.ALL else None
    system = request.args.get("system") if request.args.get("system") in titles else None
    page = page_args(request.args.get("page"))
    messages, total = service.list_inbound(actor, status, system, page)
    if page > last_page(total, service.PAGE_SIZE):  # past the end (an old link, a typed number): the last page
        page = last_page(total, service.PAGE_SIZE)
        messages, total = service.list_inbound(actor, status, system, page)
    # Each result as the message it was built from: the page shows it in its language (stored in Chinese).
    results = {m.id: readable(m.result_code, m.result_message) for m in messages}
    return render_template("exchange/inbound.html", messages=messages, total=total, page=page,
                           per_page=service.PAGE_SIZE, status=status, system=system, results=results,
                           statuses=InboundStatus.ALL, STATUS_TITLES=STATUS_TITLES, titles=titles,
                           pager_args={k: v for k, v in (("system", system), ("status", status)) if v})


@bp.post(f"/messages/<{ID}:message_id>/resend")
@login_required
def resend(message_id: int) -> ResponseReturnValue:
    service.resend_message(session_actor(), message_id)
    flash(_("报文已重新排队发送"), "info")
    return redirect(url_for("exchange.index", status=OutboxStatus.DEAD))


@bp.post(f"/systems/<any({','.join(key for key, _title in service.outbound_systems())}):system>/resend")
@login_required
def resend_system(system: str) -> ResponseReturnValue:
    """Every dead letter of one system back to the queue (after its link was put right)."""
    count = len(service.resend_system(session_actor(), system))
    flash(_("已将 {n} 条死信重新排队发送", n=count) if count else _("没有发送失败（死信）的报文"), "info")
    return redirect(url_for("exchange.index", target=system))
