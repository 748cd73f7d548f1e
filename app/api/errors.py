"""One error shape for the API: {code, message, details} with the right HTTP status."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, http_status_message


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def domain_error_response(exc: DomainError) -> ResponseReturnValue:
    return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status


def http_error_response(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code, message = http_status_message(status)
    details: dict[str, Any] = {}
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs/marshmallow request validation
        messages = data["messages"]
        details = {"fields": messages.get("json", messages) if isinstance(messages, dict) else messages}
    return jsonify(error_body(code, message, details)), status


