"""安全审计: the audit log for auditors (search, page by page, newest first; CSV export)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.services.audit.log import AuditFilter, export_csv, latest_entry_id, search
from app.web.common import page_args, query_day

bp = Blueprint("audit", __name__, url_prefix="/audit")
PER_PAGE = 50
FIELDS = ("actor", "action", "object_type", "object_id", "source_ip")


def _filters() -> AuditFilter:
    texts = {name: request.args.get(name, "").strip()[:64] for name in FIELDS}
    return AuditFilter(**texts, first=query_day(request.args.get("first")),
                       last=query_day(request.args.get("last")))


def _args(filters: AuditFilter) -> dict[str, str]:
    return {key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in vars(filters).items() if value}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    """Each search's first page takes the newest entry as its cut (`up_to`, carried by its page links, as the API's):
    its later pages show the entries there were then, not shifted by the entries each search writes itself."""
    filters = _filters()
    page = page_args(request.args.get("page"))
    up_to = _up_to(request.args.get("up_to"))
    entries, total = search(session_actor(), filters, page, PER_PAGE, up_to=up_to)
    args = _args(filters)
    return render_template("audit/index.html", entries=entries, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, args=args, pager_args={**args, "up_to": up_to})


def _up_to(value: str | None) -> int:
    """The cut a page link carries; the newest entry for a new search (no cut, or not a number)."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return latest_entry_id()


@bp.get("/export.csv")
@login_required
def export() -> ResponseReturnValue:
    content = export_csv(session_actor(), _filters())
    return Response(content, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
