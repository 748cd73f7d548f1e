"""The admins' page of notifications whose SMS or e-mail did not go out (发送失败的通知): those given up after the
retry schedule, and those still being retried, with a re-send button for the former. An admin sees the
deliveries to the users of his region (the province: all), phones and addresses masked."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import session_actor
from app.routing import ID
from app.services import notifications_admin as service
from app.services.notifications_retry import GIVEN_UP_AFTER, MAX_ATTEMPTS
from app.web.common import last_page, page_args
from app.web.i18n import gettext as _
from app.web.notifications import notice

bp = Blueprint("deliveries", __name__, url_prefix="/admin/deliveries")

VIEW_TITLES = {service.FAILED: "发送失败", service.RETRYING: "重试中"}
CHANNEL_TITLES = {"sms": "短信", "email": "电子邮件", "console": "日志（未配置发送渠道）", "memory": "内存（测试）"}
SOURCE_TITLES = {service.OFFICIAL: "工作人员通知", service.APPLICANT: "申请人告知"}


@bp.app_context_processor
def header_count() -> dict[str, Any]:
    """undelivered_count(): for the admins' header link, how many deliveries of their region were given up."""
    def undelivered_count() -> int:
        if not (current_user.is_authenticated and current_user.has_role("admin")):
            return 0
        return service.count_undelivered(session_actor())
    return {"undelivered_count": undelivered_count}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    view = str(request.args.get("view")) if request.args.get("view") in service.VIEWS else service.FAILED
    page = page_args(request.args.get("page"))
    items, total = service.list_undelivered(actor, view, page)
    if not items and page > last_page(total, service.PAGE_SIZE):  # a page past the end shows the last one
        page = last_page(total, service.PAGE_SIZE)
        items, total = service.list_undelivered(actor, view, page)
    return render_template("deliveries/index.html", items=items, total=total, page=page, per_page=service.PAGE_SIZE,
                           view=view, views=service.VIEWS, VIEW_TITLES=VIEW_TITLES, CHANNEL_TITLES=CHANNEL_TITLES,
                           SOURCE_TITLES=SOURCE_TITLES, notice=notice, max_attempts=MAX_ATTEMPTS,
                           given_up_hours=round(GIVEN_UP_AFTER.total_seconds() / 3600))


@bp.post(f"/<any({','.join(service.SOURCES)}):source>/<{ID}:delivery_id>/resend")
@login_required
def resend(source: str, delivery_id: int) -> ResponseReturnValue:
    service.resend_undelivered(session_actor(), source, delivery_id)
    flash(_("已重新排队发送，下一轮即发送"), "info")
    return redirect(url_for("deliveries.index"))
