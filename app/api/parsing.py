"""Request parsing for every API blueprint: JSON bodies refused with a 400 when nested deeper than any request
needs (also checked by app.request_guard before any view), files answered as documented binaries. Ids in paths:
app.routing's ID converter."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flask
import flask_smorest
import marshmallow as ma
from webargs.core import is_json
from webargs.flaskparser import FlaskParser

from app.request_guard import MAX_JSON_DEPTH, JsonTooDeep, json_depth_exceeds

F = TypeVar("F", bound=Callable[..., Any])
BINARY = {"type": "string", "format": "binary"}  # a file's bytes, as OpenAPI 3.0 documents them
BODY_REQUIRED = "请求体不能为空：请发送 JSON 对象（可为 {}）"
BODY_NOT_JSON = "请求体须为 JSON：请以 Content-Type: application/json 发送"


class Parser(FlaskParser):
    """webargs' parser; a body that is not JSON stays its 400 (bad_request). Every JSON body the API reads
    is required (flask-smorest documents each as `required: true`): a missing one is a 422, as the OpenAPI
    says, not an empty object. A body sent under another content type (text/plain, a form) is not read as JSON
    and refused as the OpenAPI documents every refused body, 422 `invalid_request`, saying to send
    application/json (not that nothing was sent)."""

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        try:
            data = super().load_json(req, schema)
        except RecursionError as exc:
            raise JsonTooDeep() from exc
        if data is ma.missing:
            raise ma.ValidationError({"_schema": [BODY_NOT_JSON if _sent_as_other(req) else BODY_REQUIRED]})
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise JsonTooDeep()
        return data


def _sent_as_other(req: flask.Request) -> bool:
    """A body under a content type other than JSON's, or bytes under none (webargs reads neither)."""
    if req.mimetype:
        return not is_json(req.mimetype)
    return bool(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the parser above."""

    ARGUMENTS_PARSER = Parser()

    def file_response(self, *content_types: str, description: str) -> Callable[[F], F]:
        """A 200 answering a file (the view returns a Response, passed on as it is), documented as binary under
        each of its media types: flask-smorest writes a content type into the document only with a schema."""
        def decorator(func: F) -> F:
            for content_type in content_types[1:]:
                func = self.alt_response(200, schema=BINARY, content_type=content_type, description=description,
                                         success=True)(func)
            documented: F = self.response(200, BINARY, content_type=content_types[0], description=description)(func)
            return documented
        return decorator

    def arguments(self, schema: type[ma.Schema] | ma.Schema, **kwargs: Any) -> Any:
        """As flask-smorest's, with the schema made an instance once, here: given a class, webargs makes a new
        instance on every request (its fields copied, bound and hooked up each time)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)
