"""The home page: the user's tasks and cases."""
from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import CASE_STATUS_TITLES, ROLE_TITLES
from app.services.cases import CaseFilter, list_cases
from app.services.procedures import list_procedures
from app.services.tasks import TaskFilter, count_views, list_tasks

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    mine, _ = list_tasks(actor, TaskFilter(view="mine"))
    claimable, _ = list_tasks(actor, TaskFilter(view="claimable"))
    cases, total = list_cases(actor, CaseFilter(per_page=20))
    startable = [p for p in list_procedures() if p.latest_version and (
        not p.latest_version.manifest.get("start_roles") or actor.has_role(*p.latest_version.manifest["start_roles"]))]
    return render_template("home/index.html", actor=actor, mine=mine, claimable=claimable, cases=cases,
                           total=total, counts=count_views(actor), startable=startable,
                           status_titles=CASE_STATUS_TITLES, role_titles=ROLE_TITLES)
