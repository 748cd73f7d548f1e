"""The signed-in user's own password: changed on request, and required after a temporary one (an admin's
new account or reset) before any other page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.auth import end_session, session_actor, start_session
from app.services.identity.accounts import change_own_password
from app.services.identity.passwords import WeakPassword
from app.web.i18n import gettext as _

bp = Blueprint("account", __name__, url_prefix="/account")

# What a user with a temporary password may still reach besides the password page.
OPEN_WITH_TEMPORARY_PASSWORD = {"account.password", "auth.logout", "static", "i18n.switch"}


def _signed_out_for_sure() -> bool:
    """An empty session and no remember cookie: Flask-Login would find no user (nor change the session), so
    its load (session protection's hashing included) is skipped here; API calls with a token are such. The
    session is read as Flask-Login reads it, so answers keep their `Vary: Cookie`."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return session.get("_user_id") is None and not session and remember_cookie not in request.cookies


@bp.before_app_request
def temporary_password_first() -> ResponseReturnValue | None:
    if request.endpoint == "static" or _signed_out_for_sure():  # a style sheet needs no user (nor a query)
        return None
    if (current_user.is_authenticated and getattr(current_user, "password_must_change", False)
            and request.endpoint not in OPEN_WITH_TEMPORARY_PASSWORD):
        flash(_("您正在使用临时密码，请先设置新密码"), "warning")
        return redirect(url_for("account.password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    if request.method == "POST":
        user = session_actor()
        new = request.form.get("password", "")
        error, revoked, field = None, 0, "password"
        if new != request.form.get("password2", ""):
            error = "两次输入的密码不一致"
        else:
            try:
                revoked = change_own_password(user, request.form.get("current", ""), new, request.remote_addr)
            except WeakPassword as exc:
                error = exc.message
                field = "current" if exc.code in ("wrong_current_password", "current_password_locked") else "password"
        if error:
            return render_template("account/password.html", errors={field: error}), 422
        end_session()
        start_session(user)  # the new password ended every session, this one signs in again
        flash(_("密码已修改，原密码下创建的 {n} 个访问令牌已吊销", n=revoked) if revoked else _("密码已修改"),
              "success")
        return redirect(url_for("home.index"))
    return render_template("account/password.html", errors={})
