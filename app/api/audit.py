"""The audit log for auditors: search (newest first) and CSV export; every call is itself audited."""
from typing import Any

from flask import Response
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.audit import AuditArgsSchema, AuditExportArgsSchema, AuditPageSchema
from app.auth import bearer_actor
from app.services.audit.log import AuditFilter, export_csv, search

blp = Blueprint("api_audit", __name__, url_prefix="/api/v1/audit", description="审计日志（安全审计员）")


def _filters(args: dict[str, Any]) -> AuditFilter:
    return AuditFilter(**{key: args[key] for key in ("actor", "action", "object_type", "object_id", "source_ip",
                                                      "first", "last")})


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Entries matching the search, newest first (auditors only; others 403)."""
        items, total = search(bearer_actor(), _filters(args), args["page"], args["per_page"])
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/export")
class AuditExport(MethodView):
    @blp.arguments(AuditExportArgsSchema, location="query")
    @blp.response(200, content_type="text/csv", description="CSV, UTF-8 with a byte-order mark")
    def get(self, args: dict[str, Any]) -> Response:
        """Entries matching the search as CSV, oldest first (at most 50,000; auditors only)."""
        content = export_csv(bearer_actor(), _filters(args))
        return Response(content, mimetype="text/csv", headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"'})
