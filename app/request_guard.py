"""One guard for every request: text with control characters (NUL and the other C0 controls but tab, line
feed and carriage return) is refused with 400 before any view runs. PostgreSQL refuses NUL in text (a 500
from deep inside a view otherwise), and no form or API field of ours takes control characters."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, request

from app.errors import DomainError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_WALK = 100_000  # strings and keys looked at in one JSON body (bodies are size-limited anyway)


class ControlCharacters(DomainError):
    status, code = 400, "invalid_characters"
    message = "请求中含有不允许的控制字符（如 NUL），请删除后重试"


def _texts(value: Any) -> Iterable[str]:
    """Every string (keys included) in a JSON value, without recursion."""
    stack, seen = [value], 0
    while stack and seen < _MAX_WALK:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield str(key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def refuse_control_characters() -> None:
    """Query arguments, form fields, uploaded files' names and JSON bodies."""
    texts: list[Iterable[str]] = [request.path.split("/"), request.args.keys(), request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [request.form.keys(), request.form.values(),
                  (f.filename or "" for f in request.files.values())]
    elif request.is_json:
        texts.append(_texts(request.get_json(silent=True)))
    if any(_CONTROL.search(text) for group in texts for text in group):
        raise ControlCharacters()


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
