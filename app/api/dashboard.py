"""SLA dashboard (时限监管看板) for supervisors: every table as JSON, CSV or Excel."""
from typing import Any

from flask import Response
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.dashboard import (
    DashboardArgsSchema,
    DashboardExportArgsSchema,
    DashboardSchema,
    DashboardTableSchema,
)
from app.auth import bearer_actor
from app.services import dashboard
from app.services.dashboard.export import FORMATS, export, filename
from app.services.dashboard.tables import Table, json_rows

blp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1/dashboard", description="时限监管看板")


def _request(args: dict[str, Any]) -> dashboard.DashboardRequest:
    return dashboard.DashboardRequest(region=args.get("region"), first=args.get("first"), last=args.get("last"),
                                      weeks=args.get("weeks"))


def _table_body(table: Table, scope: dashboard.Scope) -> dict[str, Any]:
    return {"name": table.name, "title": table.title, "region": scope.region,
            "region_path": dashboard.breadcrumb(scope), "first": scope.first, "last": scope.last,
            "columns": table.columns, "rows": json_rows(table), "total": table.total}


@blp.route("")
class Dashboard(MethodView):
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """All tables for a region (default: the caller's) and period (default: the last 30 days)."""
        scope, tables = dashboard.all_tables(bearer_actor(), _request(args))
        return {"region": scope.region, "region_path": dashboard.breadcrumb(scope), "first": scope.first,
                "last": scope.last, "tables": [_table_body(t, scope) for t in tables]}


@blp.route("/<string:name>")
class DashboardTable(MethodView):
    @blp.arguments(DashboardArgsSchema, location="query")
    @blp.response(200, DashboardTableSchema)
    def get(self, args: dict[str, Any], name: str) -> Any:
        """One table: open_cases, open_tasks, by_procedure, by_step, by_region, overdue_tasks, overdue_cases,
        trend, scorecard_authority or scorecard_reviewer."""
        actor = bearer_actor()
        scope = dashboard.dashboard_scope(actor, _request(args))
        return _table_body(dashboard.get_table(actor, name, _request(args)), scope)


@blp.route("/<string:name>/export")
class DashboardExport(MethodView):
    @blp.arguments(DashboardExportArgsSchema, location="query")
    @blp.file_response(*(media.split(";")[0] for media in FORMATS.values()),
                       description="CSV（format=csv）或 Excel 文件（format=xlsx）")
    def get(self, args: dict[str, Any], name: str) -> Response:
        """One table as a CSV (UTF-8 with BOM) or Excel file."""
        actor = bearer_actor()
        scope = dashboard.dashboard_scope(actor, _request(args))
        table = dashboard.get_table(actor, name, _request(args), complete=True)
        content, mimetype = export(table, args["format"])
        return Response(content, content_type=mimetype, headers={
            "Content-Disposition": f'attachment; filename="{filename(table, scope, args["format"])}"'})
