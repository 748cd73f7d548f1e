"""Sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import end_session, session_actor, start_session
from app.services.identity.accounts import LoginLimits, sign_in, sign_out
from app.web.i18n import gettext as _

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("home.index")


def _login_limits() -> LoginLimits:
    defaults = LoginLimits()
    return LoginLimits(max_failures=current_app.config.get("LOGIN_MAX_FAILURES", defaults.max_failures),
                       window=current_app.config.get("LOGIN_LOCK_WINDOW", defaults.window))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        result = sign_in(username, request.form.get("password", ""), request.remote_addr, _login_limits())
        if result.user is None:
            if result.locked_minutes:
                flash(_("账号已暂时锁定，请 {minutes} 分钟后再试", minutes=result.locked_minutes), "danger")
                status = 429
            else:
                flash(_("用户名或密码错误"), "danger")
                status = 401
            return render_template("auth/login.html", username=username), status
        start_session(result.user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", username="")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    sign_out(session_actor(), request.remote_addr)
    end_session()
    flash(_("您已安全退出"), "info")
    return redirect(url_for("auth.login"))
