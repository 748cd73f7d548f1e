"""Procedure output."""
from marshmallow import Schema, fields


class ProcedureSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Integer(allow_none=True)
    content_hash = fields.String(allow_none=True)
    deployed_at = fields.DateTime(allow_none=True)
    start_roles = fields.List(fields.String())
