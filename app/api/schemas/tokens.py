"""API tokens: what a token shows (never its value, except once when created) and the create input."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, computed, value
from app.services.identity.tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES


class TokenSchema(Schema):
    id = Integer(required=True)
    name = fields.String(required=True)
    username = fields.String(required=True, attribute="user.username", metadata={"description": "the owner"})
    scopes = computed(lambda token: sorted(value(token, "scope_set")), "array", required=True,
                      items={"type": "string", "enum": list(SCOPES)},
                      description="read: operations that only read; write: every change")
    created_at = DateTime(required=True)
    expires_at = DateTime(allow_none=True)
    last_used_at = DateTime(allow_none=True, metadata={"description": "recorded at most once a minute"})
    revoked = fields.Boolean(required=True)
    revoked_at = DateTime(allow_none=True)


class TokenCreatedSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "the bearer token, shown this once only"})


class TokenCreateSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=100),
                         metadata={"description": "what the token is for"})
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(SCOPES), error="应选择 {min} 至 {max} 项"))
    days = Integer(load_default=DEFAULT_DAYS, validate=validate.Range(min=1, max=MAX_DAYS),
                   metadata={"description": f"days until it expires, at most {MAX_DAYS}"})


class TokenListArgsSchema(Schema):
    all = fields.Boolean(load_default=False, metadata={
        "description": "admins: the tokens of every user of their region, not only their own"})


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenSchema), required=True)
