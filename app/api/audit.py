"""The audit log for auditors: search (newest first) and CSV export; every call is itself audited."""
from typing import Any

from flask import Response
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.audit import AuditArgsSchema, AuditExportArgsSchema, AuditPageSchema
from app.api.schemas.common import page_answer
from app.auth import bearer_actor
from app.services.audit.log import AuditFilter, export_csv, latest_entry_id, search

blp = Blueprint("api_audit", __name__, url_prefix="/api/v1/audit", description="审计日志（安全审计员）")


def _filters(args: dict[str, Any]) -> AuditFilter:
    return AuditFilter(**{key: args[key] for key in ("actor", "action", "object_type", "object_id", "source_ip",
                                                      "first", "last")})


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Entries matching the search, newest first (auditors only; others 403). Each answer names `up_to`, the
        newest entry it counts; pass it back with the next pages, which then show the entries as they were when
        the first page was read: the search's own audit entry (and any written meanwhile) shifts nothing."""
        up_to = args["up_to"] if args["up_to"] is not None else latest_entry_id()
        items, total = search(bearer_actor(), _filters(args), args["page"], args["per_page"], up_to=up_to)
        return page_answer(items, total, args, up_to=up_to)


@blp.route("/export")
class AuditExport(MethodView):
    @blp.arguments(AuditExportArgsSchema, location="query")
    @blp.file_response("text/csv", description="CSV, UTF-8 with a byte-order mark")
    def get(self, args: dict[str, Any]) -> Response:
        """Entries matching the search as CSV, oldest first (at most 50,000; auditors only)."""
        content = export_csv(bearer_actor(), _filters(args))
        return Response(content, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"'})
