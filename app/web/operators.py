"""The main operator's page of his enterprise's operators: add, suspend, resume, remove, rights."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from app.auth import session_actor
from app.db import attempt
from app.errors import DomainError, InvalidForm
from app.extensions import db
from app.routing import ID
from app.services.cases.overview import startable_procedures
from app.services.identity import operators as service
from app.services.identity.passwords import WeakPassword
from app.services.records.identifiers import mask_phone
from app.web.i18n import gettext as _

bp = Blueprint("operators", __name__, url_prefix="/enterprise/operators")


def _page(errors: dict[str, str] | None = None, form: MultiDict[str, str] | None = None,
          status: int = 200) -> ResponseReturnValue:
    """The page; a refused new operator's form as it was sent (its ticked procedures too, so that correcting the
    password does not make him an operator of every procedure)."""
    actor = session_actor()
    operators = service.list_operators(actor)
    procedures = [(p.key, p.name) for p in startable_procedures(actor)]
    return render_template("operators/index.html", operators=operators, procedures=procedures,
                           mask_phone=mask_phone, errors=errors or {}, form=form or {},
                           ticked=set(form.getlist("procedures")) if form else set()), status


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    return _page()


@bp.post("")
@login_required
def add() -> ResponseReturnValue:
    form = request.form
    try:
        if not (form.get("phone", "").isdigit() and len(form.get("phone", "")) == 11):
            raise InvalidForm({"phone": "请填写 11 位手机号"})
        if not form.get("display_name", "").strip():
            raise InvalidForm({"display_name": "请填写姓名"})
        with attempt(db.session()):
            user = service.add_operator(session_actor(), form.get("username", "").strip(),
                                        form.get("display_name", "").strip(), form.get("phone", ""),
                                        form.get("password", ""), form.getlist("procedures"), request.remote_addr)
    except WeakPassword as exc:
        return _page({"password": exc.message}, form, 422)
    except InvalidForm as exc:
        return _page(exc.field_errors, form, 422)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash(_(exc.message), "danger")
        return _page({}, form, exc.status)
    flash(_("已添加经办人 {name}", name=user.display_name) if user.allowed_procedures  # none ticked: every one
          else _("已添加经办人 {name}：可办理全部事项", name=user.display_name), "success")
    return redirect(url_for("operators.index"))


@bp.post(f"/<{ID}:user_id>/<action>")
@login_required
def act(user_id: int, action: str) -> ResponseReturnValue:
    actor, ip = session_actor(), request.remote_addr
    if action == "suspend":
        service.suspend_operator(actor, user_id, ip)
        flash(_("已停用该经办人"), "info")
    elif action == "resume":
        service.resume_operator(actor, user_id, ip)
        flash(_("已恢复该经办人"), "info")
    elif action == "remove":
        service.remove_operator(actor, user_id, ip)
        flash(_("已移除该经办人"), "info")
    elif action == "rights":
        user = service.set_rights(actor, user_id, request.form.getlist("procedures"), ip)
        flash(_("已更新该经办人的办理权限") if user.allowed_procedures  # none ticked: every one
              else _("已更新该经办人的办理权限：可办理全部事项"), "success")
    else:
        return redirect(url_for("operators.index")), 404
    return redirect(url_for("operators.index"))
