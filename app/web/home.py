"""The home page per role: applicants start cases and see theirs; officials land in their inbox.

Also the header's return path for the language switch (language_return_path(), a template global).
"""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import Actor, CaseStatus, Role
from app.services.cases.lifecycle import CaseFilter, list_cases
from app.services.cases.overview import count_cases_by_status, start_form_key, startable_procedures
from app.services.tasks.lists import TaskFilter, list_tasks
from app.web.common import page_args
from app.web.redirects import safe_next

bp = Blueprint("home", __name__)

APPLICANT_ROLES = (Role.ENTERPRISE, Role.INDIVIDUAL)
REVIEWER_ROLES = (Role.COUNTY_REVIEWER, Role.CITY_REVIEWER, Role.PROVINCE_REVIEWER, Role.LEAD)


@bp.app_template_global()
def language_return_path() -> str:
    """Where switching the language returns to: this page when it was read with GET; after a POST (a refused
    form re-rendered) the page the form was on, when that is on this site, else home. Only a local path:
    the switch refuses anything else (app/web/i18n.py)."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.removesuffix("?")
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.scheme in ("http", "https") and referrer.netloc == request.host
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return (safe_next(path) if same_site else None) or url_for("home.index")


def _waiting_tasks(actor: Actor) -> list:
    mine, _ = list_tasks(actor, TaskFilter(view="mine", per_page=50))
    claimable, _ = list_tasks(actor, TaskFilter(view="claimable", per_page=50))
    return [*mine, *claimable]


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    if actor.has_role(*REVIEWER_ROLES) and not actor.has_role(*APPLICANT_ROLES):
        return redirect(url_for("inbox.index"))
    status = request.args.get("status") or None
    if status not in {s.value for s in CaseStatus}:
        status = None
    page = page_args(request.args.get("page"))
    cases, total = list_cases(actor, CaseFilter(status=status, page=page, per_page=10))
    startable = [(p, start_form_key(p)) for p in startable_procedures(actor)]
    template = "home/applicant.html" if actor.has_role(*APPLICANT_ROLES) else "home/official.html"
    return render_template(template, actor=actor, startable=startable, waiting=_waiting_tasks(actor),
                           cases=cases, total=total, page=page, per_page=10, status=status,
                           status_counts=count_cases_by_status(actor))
