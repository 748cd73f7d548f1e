"""Registration pages (no sign-in): an enterprise's legal representative verifies (face or corporate
micro-payment) and authorises the main operator, who registers with the link sent to his phone; an
individual registers himself after a real-name check."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from app.db import attempt
from app.errors import DomainError, InvalidForm
from app.extensions import db, rate_limit
from app.integrations.verifier import IdentityVerifier, VerifierUnavailable, make_verifier
from app.models import Region, RegistrationStatus, VerificationMethod
from app.services.identity import registration as service
from app.services.identity.passwords import WeakPassword
from app.services.records.identifiers import mask_phone
from app.web.i18n import gettext as _
from app.web.sms import public_link, send_after_commit

bp = Blueprint("registration", __name__, url_prefix="/register")

FLOW = "registration_flow"  # the session's key of the enterprise registration it continues
METHODS = ((VerificationMethod.FACE.value, "法定代表人实名刷脸认证"),
           (VerificationMethod.BANK_TRANSFER.value, "对公账户打款认证"))


def _register_limit() -> str:
    return str(current_app.config["REGISTER_IP_LIMIT"])


def _verifier() -> IdentityVerifier:
    try:
        return make_verifier(current_app.config)
    except VerifierUnavailable as exc:
        raise service.VerificationUnavailable() from exc


def _cities() -> list[tuple[str, str]]:
    from sqlalchemy import select

    rows = db.session.execute(select(Region.code, Region.name).where(Region.code.like("45%"), Region.level == "city")
                              .order_by(Region.code))
    return [(code, name) for code, name in rows]


def _refused(template: str, exc: DomainError, **context: Any) -> ResponseReturnValue:
    errors = exc.field_errors if isinstance(exc, InvalidForm) else {}
    if not isinstance(exc, InvalidForm) or not errors:
        flash(_(exc.message), "danger")
    return render_template(template, errors=errors, form=request.form, **context), exc.status


@bp.route("/enterprise", methods=["GET", "POST"])
@rate_limit(_register_limit, methods=["POST"])
def enterprise() -> ResponseReturnValue:
    context = {"methods": METHODS, "types_options": [(t, _(t)) for t in service.ENTERPRISE_TYPES], "cities": _cities()}
    if request.method != "POST":  # a HEAD too: only a POST (CSRF, the per-IP limit) sends the form
        return render_template("registration/enterprise.html", errors={}, form={}, **context)
    form = service.EnterpriseForm(**{field: request.form.get(field, "") for field in (
        "credit_code", "name", "enterprise_type", "region_code", "legal_representative", "legal_representative_id",
        "method", "bank_account")})
    try:
        registration, key = service.start_enterprise(_verifier(), form, request.remote_addr)
    except DomainError as exc:
        return _refused("registration/enterprise.html", exc, **context)
    session[FLOW] = key
    if registration.status == RegistrationStatus.AWAITING_AMOUNT:
        return redirect(url_for("registration.amount"))
    flash(_("法定代表人认证通过，请授权主操作员"), "success")
    return redirect(url_for("registration.authorise"))


@bp.route("/enterprise/amount", methods=["GET", "POST"])
@rate_limit(_register_limit, methods=["POST"])
def amount() -> ResponseReturnValue:
    registration = service.get_registration(session.get(FLOW))
    if request.method == "POST":
        try:
            refusal = service.confirm_amount(_verifier(), session.get(FLOW), request.form.get("amount", ""),
                                             request.remote_addr)
        except DomainError as exc:
            return _refused("registration/amount.html", exc, registration=registration)
        if refusal is None:
            flash(_("对公账户认证通过，请授权主操作员"), "success")
            return redirect(url_for("registration.authorise"))
        flash(_(refusal), "danger")
        return render_template("registration/amount.html", registration=registration, errors={}, form=request.form), 422
    return render_template("registration/amount.html", registration=registration, errors={}, form={})


@bp.route("/enterprise/authorise", methods=["GET", "POST"])
@rate_limit(_register_limit, methods=["POST"])
def authorise() -> ResponseReturnValue:
    registration = service.get_registration(session.get(FLOW))
    if request.method == "POST":
        try:
            registration, token = service.authorise_operator(session.get(FLOW), request.form.get("operator_name", ""),
                                                             request.form.get("operator_phone", ""),
                                                             request.remote_addr)
        except DomainError as exc:
            return _refused("registration/authorise.html", exc, registration=registration, link=None)
        link = public_link("registration.operator", token=token)
        send_after_commit(registration.operator_phone or "",
                          # No text the applicant typed (the enterprise's name): our sender must not carry it
                          f"【桂建云】统一社会信用代码为 {registration.credit_code} 的企业法定代表人已授权您为"
                          f"主操作员，请在72小时内打开链接注册账号：{link}")
        return render_template("registration/authorise.html", registration=registration, link=link,
                               phone=mask_phone(registration.operator_phone), errors={}, form={})
    return render_template("registration/authorise.html", registration=registration, link=None, errors={}, form={})


@bp.route("/operator/<token>", methods=["GET", "POST"])
@rate_limit(_register_limit, methods=["POST"])
def operator(token: str) -> ResponseReturnValue:
    registration = service.get_invitation(token)
    context = {"registration": registration, "phone": mask_phone(registration.operator_phone)}
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            if password != request.form.get("password2", ""):
                raise InvalidForm({"password2": "两次输入的密码不一致"})
            with attempt(db.session()):  # a refused registration leaves nothing behind
                service.register_main_operator(token, request.form.get("username", ""), password,
                                               request.remote_addr)
        except DomainError as exc:
            if isinstance(exc, WeakPassword):
                exc = InvalidForm({"password": exc.message})
            return _refused("registration/operator.html", exc, **context)
        session.pop(FLOW, None)
        flash(_("注册成功，请使用账号、密码和手机验证码登录"), "success")
        return redirect(url_for("auth.login"))
    return render_template("registration/operator.html", errors={}, form={}, **context)


@bp.route("/individual", methods=["GET", "POST"])
@rate_limit(_register_limit, methods=["POST"])
def individual() -> ResponseReturnValue:
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            if password != request.form.get("password2", ""):
                raise InvalidForm({"password2": "两次输入的密码不一致"})
            with attempt(db.session()):  # a refused registration leaves nothing behind
                service.register_individual(_verifier(), request.form.get("name", ""),
                                            request.form.get("id_number", ""), request.form.get("phone", ""),
                                            request.form.get("username", ""), password, request.remote_addr)
        except DomainError as exc:
            if isinstance(exc, WeakPassword):
                exc = InvalidForm({"password": exc.message})
            return _refused("registration/individual.html", exc)
        flash(_("注册成功，请使用账号、密码和手机验证码登录"), "success")
        return redirect(url_for("auth.login"))
    return render_template("registration/individual.html", errors={}, form={})
