"""The notifications page and the bell's count (templates: {% include "notifications/_bell.html" %})."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import session_actor
from app.errors import Message
from app.routing import id_arg
from app.services import notifications as notification_service
from app.web.common import last_page, page_args
from app.web.i18n import current_language, gettext

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell() -> dict[str, Any]:
    """unread_notifications(): the count for the bell, 0 for anonymous visitors."""
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return notification_service.unread_count(session_actor())
    return {"unread_notifications": unread_notifications}


PER_PAGE = 50


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """Newest first, a page at a time: the bell counts every unread notice, so every one can be reached."""
    actor = session_actor()
    total = notification_service.count_notifications(actor)
    page = min(page_args(request.args.get("page")), last_page(total, PER_PAGE))
    items = notification_service.list_notifications(actor, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("notifications/index.html", items=items, page=page, per_page=PER_PAGE, total=total,
                           notice=notice)


def notice(notification: Any, part: str) -> str:
    """A notice's title or body in the page's language where it was written as a message; else as stored (the
    applicant's notices name their case and decision in the words of the case's forms)."""
    text = notification_service.notice_text(notification, part)
    if not isinstance(text, Message):
        return text
    if current_language() != "zh":  # a value's English where the notice carries one (a decision's `*_en`, a
        # step's `step_en`); the case's title, the deciding authority (a lane) and a step's name (a notice stored
        # with its Chinese name alone) as the case pages and the dashboard show them (the diagrams' `nameEn`)
        text = Message(text.template, **{k: text.values.get(f"{k}_en", gettext(v) if k in _NAMED and isinstance(
            v, str) else v) for k, v in text.values.items()})
    return gettext(text)


_NAMED = ("title", "authority", "step")  # values of notices that the pages translate as names


@bp.post("/read")
@login_required
def read() -> ResponseReturnValue:
    sent = request.form.getlist("id")  # none: 全部标为已读; ids of which none names a notice mark nothing
    ids = [i for i in map(id_arg, sent) if i is not None] if sent else None
    notification_service.mark_read(session_actor(), ids)
    return redirect(url_for("notifications.index"))
