"""API token pages: a user's own tokens (create with scopes and days, revoke), and for admins the tokens of
their region's users (revoke)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.db import attempt
from app.errors import DomainError
from app.extensions import db
from app.models import ApiToken
from app.routing import ID, whole_number
from app.services.identity import tokens as service
from app.web.i18n import gettext as _

bp = Blueprint("tokens", __name__)


def _own_page(new_token: str | None = None, status: int = 200,
              typed: dict[str, Any] | None = None) -> ResponseReturnValue:
    """The user's tokens and the form for a new one: empty (its defaults), or as typed when it was refused."""
    form = typed or {"name": "", "days": str(service.DEFAULT_DAYS), "scopes": ["read"]}
    return _page(service.list_tokens(session_actor()), new_token=new_token, admin_view=False, form=form), status


def _page(tokens: list[ApiToken], **context: Any) -> str:
    return render_template("tokens/index.html", tokens=tokens, max_days=service.MAX_DAYS,
                           token_state=service.token_state, TOKEN_STATES=service.TOKEN_STATES, **context)


@bp.get("/account/tokens")
@login_required
def index() -> ResponseReturnValue:
    return _own_page()


@bp.post("/account/tokens")
@login_required
def create() -> ResponseReturnValue:
    # ASCII digits only: int() read "３０" as 30 days; anything else is 0 days, which the service refuses in Chinese
    typed = (request.form.get("days") or "").strip()
    days = (whole_number(typed, service.MAX_DAYS) or 0) if typed else service.DEFAULT_DAYS
    try:
        with attempt(db.session()):
            _token, value = service.create_token(session_actor(), days, request.form.getlist("scopes"),
                                                 request.form.get("name", ""), request.remote_addr)
    except DomainError as exc:
        flash(_(exc.message), "danger")
        return _own_page(status=422, typed={"name": request.form.get("name", ""),
                                            "days": request.form.get("days", ""),
                                            "scopes": request.form.getlist("scopes")})  # kept, to correct
    return _own_page(new_token=value)


@bp.post(f"/tokens/<{ID}:token_id>/revoke")
@login_required
def revoke(token_id: int) -> ResponseReturnValue:
    actor = session_actor()
    token = service.revoke_token(actor, token_id, request.remote_addr)
    flash(_("令牌已吊销"), "info")
    return redirect(url_for("tokens.index") if token.user_id == actor.id else url_for("tokens.administered"))


@bp.get("/admin/tokens")
@login_required
def administered() -> ResponseReturnValue:
    tokens = list(db.session.scalars(service.administered_tokens(session_actor()).limit(500)))
    return _page(tokens, new_token=None, admin_view=True)
