"""Notifications of the caller (the bell): list with the unread count, mark read; for admins, the SMS and e-mail
of their region's users that did not go out, and their re-send (the page 发送失败的通知's twin)."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.common import page_answer
from app.api.schemas.notifications import (
    NotificationListArgsSchema,
    NotificationPageSchema,
    NotificationReadSchema,
    UndeliveredListArgsSchema,
    UndeliveredPageSchema,
    UndeliveredSchema,
)
from app.auth import bearer_actor
from app.log_masking import mask_text
from app.routing import ID
from app.services import notifications as notification_service
from app.services import notifications_admin as undelivered_service

blp = Blueprint("api_notifications", __name__, url_prefix="/api/v1/notifications", description="消息提醒")


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationListArgsSchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The caller's notifications, newest first, and how many are unread."""
        actor = bearer_actor()
        return {"items": notification_service.list_notifications(actor, args["unread"], args["limit"]),
                "unread_count": notification_service.unread_count(actor)}


@blp.route("/read")
class NotificationsRead(MethodView):
    @blp.arguments(NotificationReadSchema)
    @blp.response(200, NotificationPageSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Mark the given notifications (or all) read."""
        actor = bearer_actor()
        notification_service.mark_read(actor, body.get("ids"))
        return {"items": notification_service.list_notifications(actor, True),
                "unread_count": notification_service.unread_count(actor)}


def shown_undelivered(item: undelivered_service.UndeliveredMessage) -> dict[str, Any]:
    failed = item.status == undelivered_service.FAILED
    return {"source": item.source, "id": item.id, "notification_id": item.notification.id,
            "kind": item.notification.kind, "title": item.notification.title, "username": item.username,
            "display_name": item.display_name, "region_code": item.region_code, "channel": item.channel,
            "address": item.address, "status": item.status, "attempts": item.attempts,
            "created_at": item.notification.created_at, "next_attempt_at": None if failed else item.at,
            "failed_at": item.at if failed else None,
            "last_error": mask_text(item.last_error) if item.last_error else None}


@blp.route("/undelivered")
class Undelivered(MethodView):
    @blp.arguments(UndeliveredListArgsSchema, location="query")
    @blp.response(200, UndeliveredPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Admins: the SMS and e-mail to their region's users that were given up (`view=failed`) or are being
        retried (`view=retrying`), newest notification first; phones and addresses masked."""
        items, total = undelivered_service.list_undelivered(bearer_actor(), args["view"], args["page"],
                                                            args["per_page"])
        return page_answer([shown_undelivered(item) for item in items], total, args)


@blp.route(f"/undelivered/<any({','.join(undelivered_service.SOURCES)}):source>/<{ID}:delivery_id>/resend")
class UndeliveredResend(MethodView):
    @blp.response(200, UndeliveredSchema)
    def post(self, source: str, delivery_id: int) -> Any:
        """Admins: send a delivery given up again, with a fresh retry budget (audited); 409 in any other state,
        404 outside the admin's region. The in-app notification is not touched."""
        return shown_undelivered(undelivered_service.resend_undelivered(bearer_actor(), source, delivery_id))
