"""Errors on pages: domain errors, refused CSRF tokens and HTTP errors (no such page, wrong method ...)
as a message page, in the page language, with the right status; a page that needs a signed-in user. A page's
background request (its script's fetch) gets the same refusal as JSON {code, message}, for the script to show."""
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DatabaseUnavailable, DomainError, NotAuthenticated, http_status_message
from app.extensions import login_manager
from app.web.i18n import gettext


def domain_error_page(exc: DomainError) -> ResponseReturnValue:
    if isinstance(exc, NotAuthenticated) and not background_request():
        return redirect(url_for("auth.login", next=request.path))
    if isinstance(exc, DatabaseUnavailable):
        return unavailable_page(exc)
    return refusal(exc, exc.status)


RETRY_AFTER_SECONDS = "30"


def unavailable_page(exc: DatabaseUnavailable) -> ResponseReturnValue:
    """The database does not answer: a page that reads nothing from it (base.html shows the user and the
    bell, which it cannot load now), with Retry-After."""
    headers = {"Retry-After": RETRY_AFTER_SECONDS}
    if background_request():
        return jsonify({"code": exc.code, "message": gettext(exc.message)}), exc.status, headers
    # Rendered by Jinja alone: Flask's template context processors load the signed-in user (Flask-Login's
    # current_user), from the database that is not answering.
    page = current_app.jinja_env.get_template("unavailable.html").render(error=exc, request=request)
    return page, exc.status, headers


def csrf_error_page(_exc: CSRFError) -> ResponseReturnValue:
    """A refused form token (a page left open past the idle timeout, a page from before a sign-out). The idle
    timeout ends the session, its form token with it, so the token check refused the form before the page's
    sign-in check could: a form of a signed-in page sent by a user no longer signed in is answered as that check
    answers it (sign_in_first: the sign-in page, told the input was not saved, and back to the form's page)."""
    if not background_request() and not current_user.is_authenticated and needs_sign_in():
        if request.endpoint == "auth.logout":  # signing out of a session that has ended already: it is done
            return redirect(url_for("auth.login"))
        return sign_in_first()
    return refusal(DomainError("页面已过期或表单令牌无效，请返回上一页刷新后重试", code="csrf_failed"), 400)


# Flask-Login's login_required wraps every view in one inner function: its code object is the same for all.
_SIGN_IN_CHECK = login_required(lambda: None).__code__


def needs_sign_in() -> bool:
    """The requested page is for signed-in users (its view, or a view it decorates, is behind login_required):
    the sign-in and registration forms are not, and keep the refusal page."""
    view = current_app.view_functions.get(request.endpoint or "")
    while view is not None:
        if getattr(view, "__code__", None) is _SIGN_IN_CHECK:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def http_error_page(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code, message = http_status_message(status)
    return refusal(DomainError(message, code=code), status)


def refusal(error: DomainError, status: int) -> ResponseReturnValue:
    """A refusal: the error page for a navigation, JSON {code, message} for a page's background request, whose
    script shows the message (an HTML page there was shown as its status text, "NOT FOUND", or taken for a
    success)."""
    if background_request():
        return jsonify({"code": error.code, "message": gettext(error.message)}), status
    return render_template("error.html", error=error), status


def background_request() -> bool:
    """A page's own request (the editors' previews and saves, sent with fetch), not a navigation: there is no
    page to show a message on. Browsers say so in Sec-Fetch-Mode; the editors' JSON bodies say so in any."""
    return request.is_json or request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate"


def sign_in_first() -> ResponseReturnValue:
    """A page that needs a signed-in user, asked without one. A navigation goes to the sign-in page with a
    message, and back after it (as Flask-Login does); a background request gets 401 with JSON and leaves the
    session alone: sent with a cookie from before a sign-in made meanwhile (another tab), its answer must not
    write that older session (with a message added) over the new one (app/sessions.py)."""
    if background_request():
        return refusal(NotAuthenticated(), 401)
    if request.method in ("GET", "HEAD"):
        flash(gettext(login_manager.login_message), login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))
    # A form sent after the session ended (signed out in another tab, or idle): say that it was not saved, and
    # come back to the page it was sent from (the form's own URL answers only POST: a 405 after signing in).
    flash(gettext("登录已失效，刚才提交的内容未保存：请登录后回到该页重新提交"), "warning")
    referrer = urlsplit(request.referrer or "")
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "") \
        if referrer.netloc == request.host and referrer.path else None
    return redirect(login_url(login_manager.login_view, next_url=back))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error_page)  # the API is exempt: bearer tokens only
    login_manager.unauthorized_handler(sign_in_first)
