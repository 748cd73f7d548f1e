"""Admin pages for authority and platform accounts: list, create, change roles / region / phone, suspend,
resume, reset the password (the temporary password is shown once); each change recorded."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.db import attempt
from app.errors import InvalidForm
from app.extensions import db
from app.models import ROLE_TITLES, AccountChange, User
from app.routing import ID
from app.services.identity import admin as service
from app.services.identity.changes import CHANGE_TITLES, changes_of, masked_details
from app.services.records.identifiers import mask_phone
from app.web.common import page_args
from app.web.i18n import colon, list_separator, semicolon
from app.web.i18n import gettext as _

bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


def _form() -> service.AccountForm:
    return service.AccountForm(display_name=request.form.get("display_name", ""),
                               phone=request.form.get("phone", "").strip(),
                               region_code=request.form.get("region_code", ""), roles=request.form.getlist("roles"))


def _context(user: User | None = None) -> dict[str, object]:
    actor = session_actor()
    regions = service.managed_regions(actor)
    return {"region_options": [(r.code, f"{r.name}（{r.code}）") for r in regions],
            "roles": [(r, ROLE_TITLES[r]) for r in service.AUTHORITY_ROLES],
            "user": user, "mask_phone": mask_phone, "changes": changes_of(user.id) if user else [],
            "CHANGE_TITLES": CHANGE_TITLES, "change_detail": change_detail,
            "auditor_account": user is not None and service.is_auditor_account(user)}


_FIELD_TITLES = {"display_name": "姓名", "region_code": "行政区划", "roles": "角色", "phone": "手机"}


def _shown(key: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if key == "roles" and isinstance(value, list):
        return list_separator().join(_(ROLE_TITLES.get(str(role), str(role))) for role in value)
    return str(value)


def change_detail(change: AccountChange) -> str:
    """What a change did, in the page's language: the fields changed (before → after), the token, the tasks
    released; not its stored details as JSON. Phones in them are masked when recorded, and again here for rows
    an earlier release stored in clear."""
    details = masked_details(change.details or {})
    before, after = details.get("before") or {}, details.get("after") or {}
    parts = [f"{_(_FIELD_TITLES.get(key, key))}{colon()}{_shown(key, before.get(key))} → {_shown(key, value)}"
             for key, value in after.items()]
    if change.action == "account_created" and details.get("roles"):
        parts.append(f"{_('角色')}{colon()}{_shown('roles', details['roles'])}")
    if details.get("token"):
        parts.append(_("令牌 #{n}", n=details["token"]))
    if details.get("released_tasks"):
        parts.append(_("{n} 个待办已退回待领取", n=details["released_tasks"]))
    if details.get("revoked_tokens"):
        parts.append(_("{n} 个访问令牌已吊销", n=details["revoked_tokens"]))
    return semicolon().join(parts)


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    search = request.args.get("q", "")[:100]
    page = page_args(request.args.get("page"))
    users, total = service.list_accounts(session_actor(), search, page)
    return render_template("accounts/index.html", users=users, total=total, page=page, per_page=50, q=search,
                           mask_phone=mask_phone, ROLE_TITLES=ROLE_TITLES)


def _issued(user: User, password: str, what: str) -> ResponseReturnValue:
    return render_template("accounts/password.html", user=user, password=password, what=what)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    actor = session_actor()
    if request.method == "POST":
        try:
            with attempt(db.session()):
                user, password = service.create_account(actor, request.form.get("username", "").strip(), _form(),
                                                        request.remote_addr)
        except InvalidForm as exc:
            return render_template("accounts/edit.html", errors=exc.field_errors, form=request.form,
                                   **_context()), 422
        return _issued(user, password, _("账号已创建"))
    service.accounts_query(actor)  # admins only
    return render_template("accounts/edit.html", errors={}, form={}, **_context())


@bp.route(f"/<{ID}:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int) -> ResponseReturnValue:
    actor = session_actor()
    user = service.get_account(actor, user_id)
    if request.method == "POST":
        try:
            with attempt(db.session()):
                service.change_account(actor, user_id, _form(), request.remote_addr)
        except InvalidForm as exc:
            return render_template("accounts/edit.html", errors=exc.field_errors, form=request.form,
                                   **_context(user)), 422
        flash(_("已保存账号 {username}", username=user.username), "success")
        return redirect(url_for("accounts.edit", user_id=user_id))
    form = {"display_name": user.display_name, "phone": service.revealed_phone(actor, user) or "",
            "region_code": user.region_code}
    return render_template("accounts/edit.html", errors={}, form=form, **_context(user))


@bp.post(f"/<{ID}:user_id>/<action>")
@login_required
def act(user_id: int, action: str) -> ResponseReturnValue:
    actor, ip = session_actor(), request.remote_addr
    if action == "reset-password":
        user, password = service.reset_password(actor, user_id, ip)
        return _issued(user, password, _("密码已重置"))
    if action not in ("suspend", "resume"):
        return redirect(url_for("accounts.index")), 404
    service.set_active(actor, user_id, action == "resume", ip)
    flash(_("已恢复该账号") if action == "resume" else _("已停用该账号"), "info")
    return redirect(url_for("accounts.edit", user_id=user_id))
