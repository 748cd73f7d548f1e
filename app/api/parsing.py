"""Request parsing for every API blueprint: JSON bodies refused with a 400 when nested deeper than any request
needs (also checked by app.request_guard before any view). Ids in paths: app.routing's ID converter."""
from __future__ import annotations

from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser

from app.request_guard import MAX_JSON_DEPTH, JsonTooDeep, json_depth_exceeds

BODY_REQUIRED = "请求体不能为空：请发送 JSON 对象（可为 {}）"


class Parser(FlaskParser):
    """webargs' parser; a body that is not JSON stays its 400 (bad_request). Every JSON body the API reads
    is required (flask-smorest documents each as `required: true`): a missing one is a 422, as the OpenAPI
    says, not an empty object."""

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        try:
            data = super().load_json(req, schema)
        except RecursionError as exc:
            raise JsonTooDeep() from exc
        if data is ma.missing:
            raise ma.ValidationError({"_schema": [BODY_REQUIRED]})
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise JsonTooDeep()
        return data


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the parser above."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: type[ma.Schema] | ma.Schema, **kwargs: Any) -> Any:
        """As flask-smorest's, with the schema made an instance once, here: given a class, webargs makes a new
        instance on every request (its fields copied, bound and hooked up each time)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)
