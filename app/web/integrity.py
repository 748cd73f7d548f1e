"""The 诚信综合评价 page: an enterprise's integrity score, its ledger and behaviour records (an enterprise its own;
an authority the enterprises of its region, listed with their scores)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import BEHAVIOUR_KIND_TITLES, LEDGER_SOURCE_TITLES, Role
from app.routing import id_arg
from app.services.cases.lifecycle import visible_case_numbers
from app.services.records import integrity as integrity_service
from app.web.common import last_page, page_args
from app.web.i18n import gettext

bp = Blueprint("integrity", __name__, url_prefix="/integrity")
PER_PAGE = 50


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def recorder(recorded_by: str) -> str:
    """Who recorded an entry, as the page shows it: a person's name as entered; the system (the data exchange,
    a case's decision) in the reader's language."""
    return gettext(recorded_by) if recorded_by == integrity_service.SYSTEM else recorded_by


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    on = _day(request.args.get("on"))
    wanted = request.args.get("enterprise_id", "")
    if actor.has_role(Role.ENTERPRISE) and not wanted:
        wanted = str(actor.organisation_id)
    enterprise_id = id_arg(wanted)
    if enterprise_id is not None:
        view = integrity_service.integrity_of(actor, enterprise_id, on)
        # the cases behind entries, by number, linked only where the reader may open them
        numbers = visible_case_numbers(actor, [line.entry.source_case_id for line in view.lines]
                                       + [b.source_case_id for b in view.behaviours])
        return render_template("integrity/show.html", view=view, source_titles=LEDGER_SOURCE_TITLES,
                               kind_titles=BEHAVIOUR_KIND_TITLES, recorder=recorder, case_numbers=numbers)
    q = (request.args.get("q") or "").strip()[:100]
    page = page_args(request.args.get("page"))
    rows, total = integrity_service.scores_of(actor, on, q, page, PER_PAGE)
    if not rows and page > 1:  # past the end (a bookmarked page, fewer enterprises now): the last one
        page = last_page(total, PER_PAGE)
        rows, total = integrity_service.scores_of(actor, on, q, page, PER_PAGE)
    query = {k: v for k, v in (("q", q), ("on", request.args.get("on") if on else "")) if v}
    return render_template("integrity/index.html", rows=rows, total=total, page=page, per_page=PER_PAGE, q=q,
                           query=query, on=on or integrity_service.today())
