"""Notifications of the caller (the bell): list with the unread count, mark read."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.notifications import NotificationListArgsSchema, NotificationPageSchema, NotificationReadSchema
from app.auth import bearer_actor
from app.services import notifications as notification_service

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
