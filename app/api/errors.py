"""One error shape for the API: {code, message, details} with the right HTTP status."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.errors import DomainError

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("not_allowed", "您无权执行此操作"),
    404: ("not_found", "未找到请求的资源"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "数据已被他人修改，请刷新后重试"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_request", "请求参数有误"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def domain_error_response(exc: DomainError) -> ResponseReturnValue:
    return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status


def http_error_response(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code, message = HTTP_MESSAGES.get(status, ("http_error", exc.name))
    details: dict[str, Any] = {}
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs/marshmallow request validation
        messages = data["messages"]
        details = {"fields": messages.get("json", messages) if isinstance(messages, dict) else messages}
    return jsonify(error_body(code, message, details)), status


def handle_http_exception(error: HTTPException) -> ResponseReturnValue:
    """API paths answer in our error shape; pages keep Flask's own error responses."""
    if request.path.startswith("/api/"):
        return http_error_response(error)
    return error
