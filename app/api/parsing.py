"""Request parsing for every API blueprint: bounded ids in paths, JSON bodies refused with a 400 when
nested deeper than any request needs (json.loads and the code after it recurse into them)."""
from __future__ import annotations

from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser

from app.errors import DomainError

MAX_ID = 2**31 - 1  # ids are INTEGER columns (32 bits in PostgreSQL): a larger one names nothing
ID = f"int(max={MAX_ID})"  # path converter: `f"/<{ID}:case_id>"`, a larger id answers 404
MAX_JSON_DEPTH = 32  # objects and lists inside each other in a request body (a form needs 4)


class JsonTooDeep(DomainError):
    status, code = 400, "json_too_deep"
    message = f"请求正文嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）"


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects and lists nest deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class Parser(FlaskParser):
    """webargs' parser; a body that is not JSON stays its 400 (bad_request)."""

    def load_json(self, req: flask.Request, schema: ma.Schema) -> Any:
        try:
            data = super().load_json(req, schema)
        except RecursionError as exc:
            raise JsonTooDeep() from exc
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise JsonTooDeep()
        return data


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the parser above."""

    ARGUMENTS_PARSER = Parser()
