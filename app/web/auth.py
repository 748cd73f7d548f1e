"""Sign-in (account + password, then the SMS code sent to the operator's phone) and sign-out pages."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import end_session, session_actor, start_session
from app.db import utcnow
from app.extensions import rate_limit
from app.services.demo import DEMO_PASSWORD, DEMO_USERNAMES
from app.services.identity.accounts import LoginLimits, complete_sign_in, pending_user, sign_in, sign_out
from app.services.identity.codes import CODE_LIFETIME, CODE_REFUSALS, IssuedCode, TooManyCodes, issue_code
from app.services.records.identifiers import mask_phone
from app.web.i18n import gettext as _
from app.web.redirects import safe_next
from app.web.sms import send_after_commit

bp = Blueprint("auth", __name__)


@bp.context_processor
def demo_hint() -> dict[str, Any]:
    """Demo mode: the login page names the demo users and their published password (README)."""
    if not current_app.config.get("DEMO"):
        return {}
    return {"demo_users": DEMO_USERNAMES, "demo_password": DEMO_PASSWORD}

# While the user types into a page, keep-alive.js renews the session this often at most: a third of the idle
# timeout, five minutes at the longest. The timeout counts requests, and an opinion typed for half an hour sends
# none until 提交, which then found the session ended (and the text gone with the page).
KEEP_ALIVE_LONGEST = 300


@bp.app_context_processor
def keep_alive() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    idle = current_app.permanent_session_lifetime.total_seconds()
    return {"keep_alive_every": max(1, min(KEEP_ALIVE_LONGEST, int(idle // 3)))}


@bp.get("/session/alive")
@login_required
def alive() -> ResponseReturnValue:
    """The session is still in use (keep-alive.js, as the user types): the answer's activity cookie renews its
    idle timeout; a session that has ended gets 401, and the page says so before the user submits."""
    return "", 204


# Between the password and the code, the session holds who signed in, since when, where to go after it,
# and in demo mode the code itself (shown on the code page).
PENDING = "signin_pending"


def _login_limits() -> LoginLimits:
    defaults = LoginLimits()
    return LoginLimits(max_failures=current_app.config.get("LOGIN_MAX_FAILURES", defaults.max_failures),
                       window=current_app.config.get("LOGIN_LOCK_WINDOW", defaults.window))


def _ip_limit() -> str:
    return str(current_app.config["SIGNIN_IP_LIMIT"])


def _send_code(issued: IssuedCode, next_target: str | None) -> None:
    pending: dict[str, Any] = {"user": issued.user_id, "at": utcnow().isoformat(), "next": next_target}
    if current_app.config.get("DEMO"):
        pending["demo_code"] = issued.code
    session[PENDING] = pending
    send_after_commit(issued.phone, issued.text)


def _pending() -> dict[str, Any] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        started = datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return None
    # The code lives 5 minutes; the pending sign-in as long (plus a resend or two).
    if utcnow() - started > CODE_LIFETIME + timedelta(minutes=5):
        session.pop(PENDING, None)
        return None
    return pending


@bp.route("/login", methods=["GET", "POST"])
@rate_limit(_ip_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    # Only a POST sends the form: Flask answers HEAD with this view too, and CSRF and the per-IP limit cover POST.
    if request.method != "POST" and current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.method != "POST":
        return render_template("auth/login.html", username="")
    username = request.form.get("username", "").strip()
    result = sign_in(username, request.form.get("password", ""), request.remote_addr, _login_limits())
    if result.user is None:
        if result.locked_minutes:
            flash(_("账号已暂时锁定，请 {minutes} 分钟后再试", minutes=result.locked_minutes), "danger")
            status = 429
        elif result.no_phone:
            flash(_("该账号未登记手机号，无法发送验证码，请联系管理员"), "danger")
            status = 403
        else:
            flash(_("用户名或密码错误"), "danger")
            status = 401
        return render_template("auth/login.html", username=username), status
    try:
        issued = issue_code(result.user, request.remote_addr)
    except TooManyCodes as exc:
        flash(_(exc.message), "danger")
        return render_template("auth/login.html", username=username), 429
    _send_code(issued, safe_next(request.args.get("next")))
    return redirect(url_for("auth.code"))


@bp.route("/login/code", methods=["GET", "POST"])
@rate_limit(_ip_limit, methods=["POST"])
def code() -> ResponseReturnValue:
    pending = _pending()
    user = pending_user(int(pending["user"])) if pending else None
    if pending is None or user is None:
        flash(_("登录已超时，请重新输入账号和密码"), "warning")
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        refusal = complete_sign_in(user, request.form.get("code", ""), request.remote_addr)
        if refusal is None:
            target = pending.get("next")
            start_session(user)  # clears the pending sign-in with everything else
            return redirect(safe_next(target) or url_for("home.index"))
        flash(_(CODE_REFUSALS[refusal]), "danger")
        return _code_page(user.phone, pending), 401
    return _code_page(user.phone, pending)


def _code_page(phone: str | None, pending: dict[str, Any]) -> str:
    return render_template("auth/code.html", phone=mask_phone(phone), demo_code=pending.get("demo_code"))


@bp.post("/login/code/resend")
@rate_limit(_ip_limit)
def resend() -> ResponseReturnValue:
    pending = _pending()
    user = pending_user(int(pending["user"])) if pending else None
    if pending is None or user is None:
        return redirect(url_for("auth.login"))
    try:
        issued = issue_code(user, request.remote_addr)
    except TooManyCodes as exc:
        flash(_(exc.message), "danger")
        return redirect(url_for("auth.code"))
    _send_code(issued, pending.get("next"))
    flash(_("验证码已重新发送"), "info")
    return redirect(url_for("auth.code"))


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    sign_out(session_actor(), request.remote_addr)
    end_session()
    flash(_("您已安全退出"), "info")
    return redirect(url_for("auth.login"))
