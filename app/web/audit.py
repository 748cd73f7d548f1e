"""安全审计: the audit log for auditors (search, page by page, newest first; CSV export)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.services.audit.log import AuditFilter, export_csv, search
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
    filters = _filters()
    page = page_args(request.args.get("page"))
    entries, total = search(session_actor(), filters, page, PER_PAGE)
    return render_template("audit/index.html", entries=entries, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, args=_args(filters))


@bp.get("/export.csv")
@login_required
def export() -> ResponseReturnValue:
    content = export_csv(session_actor(), _filters())
    return Response(content, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
