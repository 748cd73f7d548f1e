"""Notification output and the mark-read input; the admins' view of the deliveries that did not go out."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, PageArgsSchema, id_field


class NotificationSchema(Schema):
    id = Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    case_id = Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    payload = fields.Dict()
    created_at = DateTime()
    read_at = DateTime(allow_none=True)


class NotificationListArgsSchema(Schema):
    unread = fields.Boolean(load_default=False)
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread_count = Integer()


class NotificationReadSchema(Schema):
    ids = fields.List(id_field(), load_default=None, allow_none=True,
                      metadata={"description": "ids to mark read; omit to mark all read"})


class UndeliveredListArgsSchema(PageArgsSchema):
    view = fields.String(load_default="failed", validate=validate.OneOf(("failed", "retrying")),
                         metadata={"description": "failed: given up (re-sendable); retrying: failed at least once, "
                                                  "waiting for its next attempt"})


class UndeliveredSchema(Schema):
    source = fields.String(required=True, metadata={
        "description": "notification: the officials' channel (GJY_NOTIFY_CHANNEL); delivery: an applicant's "
                       "notice by SMS or e-mail"})
    id = Integer(required=True, metadata={"description": "the id to re-send it by, within its source"})
    notification_id = Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    region_code = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "sms | email | console | memory"})
    address = fields.String(required=True, metadata={"description": "the phone or e-mail address, masked"})
    status = fields.String(required=True, metadata={"description": "pending | sending | failed"})
    attempts = Integer(required=True)
    created_at = DateTime(required=True, metadata={"description": "when the notification was written"})
    next_attempt_at = DateTime(allow_none=True, metadata={"description": "pending: not before"})
    failed_at = DateTime(allow_none=True, metadata={"description": "failed: when it was given up"})
    last_error = fields.String(allow_none=True)


class UndeliveredPageSchema(Schema):
    items = fields.List(fields.Nested(UndeliveredSchema), required=True)
    total = Integer(required=True)
    page = Integer(required=True)
    per_page = Integer(required=True)
