"""Shared pieces: paging arguments and the error body."""
from marshmallow import Schema, fields, validate


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    region_code = fields.String()


class UserRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
