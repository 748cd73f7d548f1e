"""The 事中事后抽查 page: a city or province reviewer previews a stratified draw (a dry run, with a seed of its own),
then draws for real with a seed the server makes, which starts one spot_check case per drawn item (the service the
API calls); each draw made has a page of its own with its seed, parameters and verification."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.db import attempt
from app.errors import InvalidForm, Message
from app.extensions import db
from app.models import User
from app.routing import ID, whole_number
from app.services.records import spot_check_draws as draws
from app.services.records import spot_checks as service
from app.web.i18n import gettext as _

bp = Blueprint("spot_checks", __name__, url_prefix="/spot-checks")


def _number(form: dict[str, str], name: str, default: str) -> int | None:
    return whole_number((form.get(name) or default).strip(), 999)


def _parameters(form: dict[str, str]) -> tuple[int, int]:
    """The form's sample size and months to exclude, or InvalidForm with the fields in error. There is no seed:
    the server makes it, so that the reviewer cannot choose the sample."""
    errors: dict[str, str] = {}
    size, months = _number(form, "sample_size", ""), _number(form, "exclude_months", "6")
    if size is None or not 1 <= size <= service.MAX_SAMPLE:
        errors["sample_size"] = Message(service.SAMPLE_SIZE_RANGE, max=service.MAX_SAMPLE)
    if months is None or not 0 <= months <= 36:
        errors["exclude_months"] = "排除近期已抽查企业的月数应在 0 至 36 之间"
    if errors or size is None or months is None:
        raise InvalidForm(errors)
    return size, months


def _index(actor: User, form: dict[str, str], errors: dict[str, str], status: int = 200,
           result: service.DrawResult | None = None) -> ResponseReturnValue:
    """The form, a preview's result if any, and the region's latest draws."""
    names, _numbers, strata = service.names_for(result) if result else ({}, {}, {})
    return render_template("spot_checks/index.html", form=form, errors=errors, result=result, names=names,
                           strata=strata, draws=draws.list_draws(actor, limit=20)), status


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    service.ensure_may_draw(actor)
    return _index(actor, {"exclude_months": "6"}, {})


def _run(dry_run: bool) -> ResponseReturnValue:
    """A preview is shown on the form's page; a real draw, stored, on its own page."""
    actor = session_actor()
    service.ensure_may_draw(actor)
    form = {key: request.form.get(key, "") for key in ("sample_size", "exclude_months")}
    try:
        size, months = _parameters(form)
        with attempt(db.session()):
            result = service.draw(actor, size, months, dry_run=dry_run)
    except InvalidForm as exc:
        return _index(actor, form, exc.field_errors, 422)
    if dry_run:
        return _index(actor, form, {}, result=result)
    assert result.draw is not None  # a real draw is stored
    flash(_("已抽取 {count} 项并发起 {cases} 件抽查办件", count=len(result.plan.items),
            cases=len(result.case_ids)), "success")
    return redirect(url_for("spot_checks.show", draw_id=result.draw.id))


@bp.post("/preview")
@login_required
def preview() -> ResponseReturnValue:
    return _run(dry_run=True)


@bp.post("/draw")
@login_required
def draw() -> ResponseReturnValue:
    return _run(dry_run=False)


@bp.get(f"/<{ID}:draw_id>")
@login_required
def show(draw_id: int) -> ResponseReturnValue:
    stored = draws.get_draw(session_actor(), draw_id)
    names, numbers, strata = service.labels({i.enterprise_id for i in stored.items} | set(stored.record.excluded),
                                            [i.case_id for i in stored.items if i.case_id], stored.record.strata)
    return render_template("spot_checks/draw.html", stored=stored, names=names, numbers=numbers, strata=strata,
                           region=service.region_name(stored.record.region_code))
