"""Errors on pages: domain errors, refused CSRF tokens and HTTP errors (no such page, wrong method ...)
as a message page, in the page language, with the right status."""
from flask import Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError, NotAuthenticated, http_status_message


def domain_error_page(exc: DomainError) -> ResponseReturnValue:
    if isinstance(exc, NotAuthenticated):
        return redirect(url_for("auth.login", next=request.path))
    return render_template("error.html", error=exc), exc.status


def csrf_error_page(_exc: CSRFError) -> ResponseReturnValue:
    error = DomainError("页面已过期或表单令牌无效，请返回上一页刷新后重试", code="csrf_failed")
    return render_template("error.html", error=error), 400


def http_error_page(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code, message = http_status_message(status)
    return render_template("error.html", error=DomainError(message, code=code)), status


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error_page)  # the API is exempt: bearer tokens only
