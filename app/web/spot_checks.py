"""The 事中事后抽查 page: a city or province reviewer previews a seeded, stratified draw (a dry run), then draws
for real, which starts one spot_check case per drawn item (the service the API calls)."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.db import attempt
from app.errors import InvalidForm
from app.extensions import db
from app.routing import whole_number
from app.services.records import spot_checks as service
from app.web.i18n import gettext as _

bp = Blueprint("spot_checks", __name__, url_prefix="/spot-checks")

SEED_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")


def _number(form: dict[str, str], name: str, default: str) -> int | None:
    return whole_number((form.get(name) or default).strip(), 999)


def _parameters(form: dict[str, str]) -> tuple[int, int, str | None]:
    """The form's sample size, months to exclude and seed, or InvalidForm with the fields in error."""
    errors = {}
    size, months = _number(form, "sample_size", ""), _number(form, "exclude_months", "6")
    seed = (form.get("seed") or "").strip() or None
    if size is None or not 1 <= size <= service.MAX_SAMPLE:
        errors["sample_size"] = f"抽查数量应在 1 至 {service.MAX_SAMPLE} 之间"
    if months is None or not 0 <= months <= 36:
        errors["exclude_months"] = "排除近期已抽查企业的月数应在 0 至 36 之间"
    if seed is not None and (len(seed) > 64 or not set(seed) <= SEED_CHARS):
        errors["seed"] = "随机种子只能由字母、数字、下划线和连字符组成，不超过 64 位"
    if errors or size is None or months is None:
        raise InvalidForm(errors)
    return size, months, seed


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    service.ensure_may_draw(session_actor())
    return render_template("spot_checks/index.html", form={"exclude_months": "6"}, errors={}, result=None)


def _run(dry_run: bool) -> ResponseReturnValue:
    actor = session_actor()
    service.ensure_may_draw(actor)
    form = {key: request.form.get(key, "") for key in ("sample_size", "exclude_months", "seed")}
    try:
        size, months, seed = _parameters(form)
        with attempt(db.session()):
            result = service.draw(actor, size, months, seed, dry_run=dry_run)
    except InvalidForm as exc:
        return render_template("spot_checks/index.html", form=form, errors=exc.field_errors, result=None), 422
    form["seed"] = result.plan.seed  # a preview's seed is kept, so that the real draw draws the same sample
    names, numbers, strata = service.names_for(result)
    if not dry_run:
        flash(_("已抽取 {count} 项并发起 {cases} 件抽查办件", count=len(result.plan.items),
                cases=len(result.case_ids)), "success")
    return render_template("spot_checks/index.html", form=form, errors={}, result=result, dry_run=dry_run,
                           names=names, numbers=numbers, strata=strata)


@bp.post("/preview")
@login_required
def preview() -> ResponseReturnValue:
    return _run(dry_run=True)


@bp.post("/draw")
@login_required
def draw() -> ResponseReturnValue:
    return _run(dry_run=False)
