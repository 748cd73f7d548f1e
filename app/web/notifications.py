"""The notifications page and the bell's count (templates: {% include "notifications/_bell.html" %})."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import session_actor
from app.services import notifications as notification_service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell() -> dict[str, Any]:
    """unread_notifications(): the count for the bell, 0 for anonymous visitors."""
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return notification_service.unread_count(session_actor())
    return {"unread_notifications": unread_notifications}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    return render_template("notifications/index.html", items=notification_service.list_notifications(actor))


@bp.post("/read")
@login_required
def read() -> ResponseReturnValue:
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()] or None
    notification_service.mark_read(session_actor(), ids)
    return redirect(url_for("notifications.index"))
