"""The caller's API tokens: list, create (scoped, expiring within 365 days), revoke; admins also list and
revoke the tokens of their region's users."""
from typing import Any

from flask import request
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.tokens import TokenCreatedSchema, TokenCreateSchema, TokenListArgsSchema, TokenListSchema
from app.auth import bearer_actor
from app.extensions import db
from app.routing import ID
from app.services.identity import tokens as token_service

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1/tokens", description="访问令牌")


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(TokenListArgsSchema, location="query")
    @blp.response(200, TokenListSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The caller's tokens (revoked ones included), newest first; `all=true` (admins): their region's."""
        actor = bearer_actor()
        if args["all"]:
            return {"items": list(db.session.scalars(token_service.administered_tokens(actor).limit(500)))}
        return {"items": token_service.list_tokens(actor)}

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """A new token for the caller; its value is in this answer only."""
        token, value = token_service.create_token(bearer_actor(), body["days"], body["scopes"], body["name"],
                                                  request.remote_addr)
        return {**{key: getattr(token, key) for key in ("id", "name", "created_at", "expires_at", "last_used_at",
                                                       "revoked", "revoked_at", "user", "scope_set")},
                "token": value}


@blp.route(f"/<{ID}:token_id>")
class TokenResource(MethodView):
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token: the caller's own, or (admins) one of a user of their region; others are 404."""
        token_service.revoke_token(bearer_actor(), token_id, request.remote_addr)
