"""The audit log as the API shows it to auditors, and its search arguments."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, PageArgsSchema, SearchDay
from app.routing import MAX_ID


class AuditArgsSchema(PageArgsSchema):
    actor = fields.String(load_default="", validate=validate.Length(max=64),
                          metadata={"description": "part of the user name"})
    action = fields.String(load_default="", validate=validate.Length(max=60),
                           metadata={"description": "a prefix: `sign_in` finds every sign-in outcome"})
    object_type = fields.String(load_default="", validate=validate.Length(max=40))
    object_id = fields.String(load_default="", validate=validate.Length(max=64))
    source_ip = fields.String(load_default="", validate=validate.Length(max=45))
    first = SearchDay(load_default=None, metadata={
        "description": "from this China date (inclusive; 2000-01-01 at the earliest)"})
    last = SearchDay(load_default=None, metadata={
        "description": "to this China date (inclusive; 2099-12-31 at the latest)"})


    up_to = Integer(load_default=None, validate=validate.Range(min=0, max=MAX_ID), metadata={
        "description": "the `up_to` of the first page's answer: later pages then show the entries as they were "
                       "(each search writes an entry itself, newest first, which would shift them)"})


class AuditExportArgsSchema(AuditArgsSchema):
    class Meta:
        exclude = ("page", "per_page", "up_to")


class AuditEntrySchema(Schema):
    id = Integer(required=True)
    seq = Integer(allow_none=True, metadata={"description": "place in the hash chain"})
    at = DateTime(required=True)
    actor_id = Integer(allow_none=True)
    actor_name = fields.String(required=True, metadata={"description": "empty: the system"})
    source_ip = fields.String(allow_none=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.String(required=True)
    organisation_id = Integer(allow_none=True)
    details = fields.Dict(required=True, metadata={"description": "before/after and the like; personal data masked"})
    prev_hash = fields.String(allow_none=True)
    hash = fields.String(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema), required=True)
    total = Integer(required=True)
    page = Integer(required=True)
    per_page = Integer(required=True)
    up_to = Integer(required=True, metadata={
        "description": "the newest entry id this search counts (0: none); pass it back for the next pages"})
