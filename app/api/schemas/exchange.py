"""Data exchange: the admin's views of the outbox and inbound messages, and the inbound answer."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, PageArgsSchema
from app.models import InboundStatus, OutboxStatus


class SystemSummarySchema(Schema):
    system = fields.String(required=True, metadata={"description": "national_platform, approval_system, ..."})
    title = fields.String(required=True)
    pending = Integer(required=True, metadata={"description": "queued or being sent"})
    oldest_pending_at = DateTime(allow_none=True)
    failing = Integer(required=True, metadata={"description": "waiting for a retry after a failure"})
    dead = Integer(required=True, metadata={"description": "dead letters (retry budget spent or refused)"})
    delivered = Integer(required=True)
    last_success_at = DateTime(allow_none=True)
    inbound_applied = Integer(required=True)
    inbound_rejected = Integer(required=True)
    configured = fields.Boolean(required=True, metadata={
        "description": "false: a system we send to has no address (GJY_<SYSTEM>_URL or GJY_EXCHANGE_<SYSTEM>_URL "
                       "unset outside demo mode): its messages are retried, then dead letters; the admins are told"})


class SystemListSchema(Schema):
    items = fields.List(fields.Nested(SystemSummarySchema), required=True)


class HealthSchema(Schema):
    system = fields.String(required=True)
    ok = fields.Boolean(required=True)
    detail = fields.String(required=True)


class OutboxMessageSchema(Schema):
    id = Integer(required=True)
    kind = fields.String(required=True)
    target = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending | sending | delivered | dead"})
    attempts = Integer(required=True)
    aggregate_key = fields.String(required=True, metadata={"description": "delivered in order within it"})
    idempotency_key = fields.String(required=True, metadata={"description": "the Idempotency-Key header sent"})
    case_id = Integer(allow_none=True)
    payload = fields.Dict(required=True)
    created_at = DateTime(required=True)
    sent_at = DateTime(allow_none=True, metadata={"description": "acknowledged by the receiver at"})
    next_attempt_at = DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    acknowledgement = fields.String(allow_none=True, metadata={"description": "the receiver's reference"})


class SystemResendSchema(Schema):
    system = fields.String(required=True)
    count = Integer(required=True, metadata={"description": "dead letters queued again (0: there were none)"})
    message_ids = fields.List(Integer(), required=True, metadata={"description": "their ids, ascending"})


class OutboxListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(OutboxStatus.ALL))
    target = fields.String(validate=validate.Length(max=40))


class OutboxPageSchema(Schema):
    items = fields.List(fields.Nested(OutboxMessageSchema), required=True)
    total = Integer(required=True)
    page = Integer(required=True)
    per_page = Integer(required=True)


class InboundMessageSchema(Schema):
    id = Integer(required=True)
    system = fields.String(required=True)
    message_id = fields.String(required=True)
    kind = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "http | file"})
    entity_key = fields.String(allow_none=True)
    version = Integer(allow_none=True)
    status = fields.String(required=True, metadata={"description": "applied | rejected | conflict"})
    result_code = fields.String(allow_none=True)
    result_message = fields.String(allow_none=True)
    case_id = Integer(allow_none=True)
    received_at = DateTime(required=True)


class InboundListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(InboundStatus.ALL))
    system = fields.String(validate=validate.Length(max=40))


class InboundPageSchema(Schema):
    items = fields.List(fields.Nested(InboundMessageSchema), required=True)
    total = Integer(required=True)
    page = Integer(required=True)
    per_page = Integer(required=True)


class InboundResultSchema(Schema):
    id = Integer(required=True, metadata={"description": "our id of the stored message"})
    message_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "applied | rejected | conflict"})
    code = fields.String(allow_none=True, attribute="result_code")
    message = fields.String(allow_none=True, attribute="result_message")
    duplicate = fields.Boolean(required=True, metadata={
        "description": "true: this message_id was received before; its first result, nothing changed"})
