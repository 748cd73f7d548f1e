"""One guard for every request, before any view runs:

- a body other than an upload is bounded (MAX_BODY_BYTES; uploads keep MAX_CONTENT_LENGTH): a larger one is
  answered 413 unread (a chunked one read no further than the limit), so a huge JSON body costs neither parse
  time nor memory. A view that must read larger bodies to answer about them (a procedure deploy names a file
  that is too large) declares its own hard limit as `max_body_bytes` on its class or function, uploads included;
- a JSON body nested deeper than any request needs is refused with 400 (json.loads and the code after it
  recurse into it);
- text with control characters (NUL and the other C0 controls but tab, line feed and carriage return) or lone
  UTF-16 surrogates (a legal JSON escape, `"\\ud800"`, that no encoder can write) is refused with 400. PostgreSQL
  refuses NUL in text and every database driver a surrogate (a 500 from deep inside a view otherwise), and no
  form or API field of ours takes either."""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, request

from app.errors import DomainError, Message

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MAX_WALK = 100_000  # strings and keys looked at in one JSON body (bodies are size-limited anyway)


class ControlCharacters(DomainError):
    status, code = 400, "invalid_characters"
    message = "请求中含有不允许的字符（NUL 等控制字符或不完整的 Unicode 字符），请删除后重试"


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


MAX_JSON_DEPTH = 32  # objects and lists inside each other in a request body (a form needs 4)


class JsonTooDeep(DomainError):
    status, code = 400, "json_too_deep"
    message = Message("请求正文嵌套层数过多（最多 {most} 层）", most=MAX_JSON_DEPTH)


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


def json_body() -> Any:
    """The request's JSON body (None when it is not JSON), refused when nested too deep."""
    try:
        data = request.get_json(silent=True)
    except RecursionError as exc:
        raise JsonTooDeep() from exc
    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise JsonTooDeep()
    return data


class BodyTooLarge(DomainError):
    status, code = 413, "payload_too_large"


def view_body_limit() -> int | None:
    """The hard body limit the matched view declares (`max_body_bytes` on its MethodView class or on its
    function), or None (no route matched, or the view keeps the general limits)."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(getattr(view, "view_class", view), "max_body_bytes", None)
    return limit if isinstance(limit, int) else None


def bound_body() -> None:
    """Bodies that are not multipart uploads are read up to MAX_BODY_BYTES (or the view's own limit): a
    declared larger length is refused at once, a streamed (chunked) one once it passes the limit."""
    own = view_body_limit()
    if own is None and request.mimetype == "multipart/form-data":
        return
    limit = own or current_app.config["MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    # A body of no declared length that the server says it ends (werkzeug's for chunked bodies, gunicorn's for
    # every request, where a GET's is empty at once) is read here, bounded; without that mark there is none.
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        _read_streamed_body(limit)
    else:
        request.max_content_length = limit


def _read_streamed_body(limit: int) -> None:
    """A body of no declared length (Transfer-Encoding: chunked), read now and kept for the view. werkzeug stops
    reading it at the limit without a word, and the JSON cut there read as malformed (400): it is read up to one
    byte past the limit, and refused (413) when that byte came."""
    request.max_content_length = limit + 1
    if len(request.get_data(cache=True)) > limit:
        raise _too_large(limit)


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(Message("请求内容过大：不能超过 {kilobytes} KB", kilobytes=limit // 1024))


def refuse_control_characters() -> None:
    """Query arguments, form fields, uploaded files' names and JSON bodies."""
    texts: list[Iterable[str | None]] = [request.path.split("/"), request.args.keys(), request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [request.form.keys(), request.form.values(),
                  (f.filename or "" for f in request.files.values())]
    elif request.is_json:
        texts.append(_texts(json_body()))
    # A multipart part without a usable name comes with the name None (werkzeug): nothing to look at there.
    if any(text is not None and _CONTROL.search(text) for group in texts for text in group):
        raise ControlCharacters()


class UnnamedFormField(DomainError):
    status, code = 400, "bad_request"
    message = "请求格式有误：表单中有没有名称的字段"


def refuse_unnamed_fields() -> None:
    """A multipart part without a usable name is named None by werkzeug; the code after (CSRF's check among
    it) expects names: such a body is refused as malformed."""
    if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
        raise UnnamedFormField()


def init_app(app: Flask) -> None:
    """The guard runs before every other before-request function (CSRF's check included)."""
    app.before_request_funcs.setdefault(None, [])[0:0] = [bound_body, refuse_unnamed_fields,
                                                          refuse_control_characters]
