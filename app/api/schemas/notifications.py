"""Notification output and the mark-read input."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, id_field


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
