"""The authority's task inbox: tabs 待领取 / 我的待办 / 已办 with filters, search, sorting and paging."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.models import Role
from app.services.procedures.versions import list_procedures
from app.services.tasks.lists import SORTS, VIEWS, TaskFilter, count_views, inbox_regions, list_tasks
from app.web.common import last_page, page_args, query_day
from app.web.presenters import DEADLINE_STATES

bp = Blueprint("inbox", __name__)

PER_PAGE = 20
TAB_TITLES = {"claimable": "待领取", "mine": "我的待办", "done": "已办"}


def filters_from_args(args: Any) -> TaskFilter:
    view = args.get("tab") if args.get("tab") in VIEWS else "claimable"
    deadline = args.get("deadline") if args.get("deadline") in DEADLINE_STATES else None
    return TaskFilter(view=view, procedure=args.get("procedure") or None, region=args.get("region") or None,
                      deadline_state=deadline, received_from=query_day(args.get("from")),
                      received_to=query_day(args.get("to")), search=(args.get("q") or "").strip() or None,
                      sort=args.get("sort") if args.get("sort") in SORTS else None,
                      page=page_args(args.get("page")), per_page=PER_PAGE)


@bp.get("/tasks")
@login_required
def index() -> ResponseReturnValue:
    actor = session_actor()
    filters = filters_from_args(request.args)
    tasks, total = list_tasks(actor, filters)
    if filters.page > last_page(total, PER_PAGE):  # past the end (an old link, a typed number): the last page
        filters = replace(filters, page=last_page(total, PER_PAGE))
        tasks, total = list_tasks(actor, filters)
    query = {k: v for k, v in request.args.items() if k not in ("page", "tab") and v}
    return render_template("inbox/index.html", actor=actor, filters=filters, tasks=tasks, total=total,
                           counts=count_views(actor, filters), tabs=TAB_TITLES, query=query,
                           procedures=list_procedures(), regions=inbox_regions(actor),
                           is_lead=actor.has_role(Role.LEAD, Role.ADMIN), per_page=PER_PAGE)
