"""The SLA dashboard page (时限监管看板): tables with drill-down, a server-side SVG trend chart, exports."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from werkzeug.routing import BuildError

from app.auth import session_actor
from app.errors import NotFound
from app.services import dashboard
from app.services.dashboard.export import FORMATS, export, filename, plain
from app.services.dashboard.tables import Column, Table
from app.web.i18n import gettext

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 760, 260, 48, 36, 16
SERIES = (("received", "收件", "#2563eb"), ("completed", "办结", "#16a34a"), ("completed_late", "超期办结", "#dc2626"))
DRILL_TABLES = {"open_cases", "open_tasks", "by_region", "scorecard_authority"}
# Kept as they are in every language, as the page shows them: codes (事项代码, 环节代码, 账号, 地区代码).
CODE_COLUMNS = frozenset({"procedure", "step", "username", "region_code", "user_id"})


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _int_arg(name: str) -> int | None:
    """A small count (weeks, 1..104): anything else (letters, '²', thousands of digits) is no value."""
    value = request.args.get(name, "")
    return min(max(int(value), 1), 104) if value.isascii() and value.isdigit() and len(value) <= 6 else None


def _request() -> dashboard.DashboardRequest:
    region = request.args.get("region", "")
    return dashboard.DashboardRequest(region=region if region.isdigit() and len(region) == 6 else None,
                                      first=_date_arg("first"), last=_date_arg("last"), weeks=_int_arg("weeks"))


def filters(scope: dashboard.Scope, region: str | None = None) -> dict[str, Any]:
    """The page's filters as query arguments, for every link that stays on the dashboard (drill-down, breadcrumb,
    exports): the region (`region`, else the scope's), the period and the trend's weeks."""
    return {"region": region or scope.region, "first": scope.first, "last": scope.last, "weeks": scope.weeks}


def case_url(case_id: int) -> str:
    try:
        return url_for("cases.show", case_id=case_id)
    except BuildError:
        return f"/cases/{case_id}"


def _grid_step(value: int) -> int:
    """The gridline step (1, 2, 5 x 10^n) for which four steps reach `value`."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor * 4:
                return step * factor
        step *= 10


def trend_chart(table: Table) -> dict[str, Any]:
    """Bar geometry for the weekly trend: three bars per week, four gridlines, labels every other week."""
    rows = table.rows
    step = _grid_step(max([1, *(r[key] for r in rows for key, _, _ in SERIES)]))
    top = step * 4
    plot_w, plot_h = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T
    slot = plot_w / max(len(rows), 1)
    bar_w = slot * 0.8 / len(SERIES)
    bars, labels = [], []
    for i, row in enumerate(rows):
        x0 = PAD_L + i * slot + slot * 0.1
        for j, (key, title, color) in enumerate(SERIES):
            height = plot_h * row[key] / top
            bars.append({"x": round(x0 + j * bar_w, 1), "y": round(PAD_T + plot_h - height, 1), "w": round(bar_w, 1),
                         "h": round(height, 1), "color": color,
                         "tip": gettext("{week} 当周{series} {count}", week=f"{row['week']:%m-%d}",
                                        series=gettext(title), count=row[key])})
        if i % 2 == 0 or len(rows) <= 8:
            labels.append({"x": round(x0 + slot * 0.4, 1), "text": f"{row['week']:%m-%d}"})
    grid = [{"y": round(PAD_T + plot_h - plot_h * k / 4, 1), "value": step * k} for k in range(5)]
    return {"width": CHART_W, "height": CHART_H, "bars": bars, "labels": labels, "grid": grid, "left": PAD_L,
            "right": CHART_W - 8, "base": PAD_T + plot_h, "series": SERIES}


def cell(table: Table, column: Column, row: dict[str, Any], scope: dashboard.Scope) -> dict[str, Any]:
    """What to show in a cell: text and, for drill-down and cases, a link."""
    value = row.get(column.key)
    if column.kind == "rate":
        return {"text": "—" if value is None else f"{value * 100:.1f}%"}
    if column.kind == "hours":
        return {"text": "—" if value is None else f"{value:.1f}"}
    if column.kind == "link" and row.get("case_id"):
        return {"text": value, "href": case_url(row["case_id"])}
    code = row.get("region_code")
    if column.key == "region_name" and table.name in DRILL_TABLES and code and code != scope.region:
        return {"text": value, "href": url_for(".index", **filters(scope, code))}
    return {"text": plain(value)}


def translated(table: Table) -> Table:
    """The table in the page's language, as the page shows it: its title, column titles and texts (a service's
    message by its template: 待领取（{role}）, {name}（本级）; 是 / 否; names of procedures and steps); codes, numbers,
    dates and case numbers as they are. The API's exports stay in Chinese."""
    texts = {c.key for c in table.columns if c.kind != "link" and c.key not in CODE_COLUMNS}
    rows = [{key: gettext(value) if key in texts and isinstance(value, str) and value else value
             for key, value in row.items()} for row in table.rows]
    columns = [Column(c.key, gettext(c.title), c.kind) for c in table.columns]
    return Table(table.name, gettext(table.title), columns, rows, table.total)


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    scope, tables = dashboard.all_tables(session_actor(), _request())
    by_name = {t.name: t for t in tables}
    return render_template("dashboard/index.html", scope=scope, tables=by_name, path=dashboard.breadcrumb(scope),
                           chart=trend_chart(by_name["trend"]), cell=cell, formats=FORMATS, filters=filters)


@bp.get("/export/<name>.<fmt>")
@login_required
def export_table(name: str, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        raise NotFound("不支持该导出格式", code="export_format_not_found")
    actor = session_actor()
    scope = dashboard.dashboard_scope(actor, _request())
    table = dashboard.get_table(actor, name, _request(), complete=True)
    content, mimetype = export(translated(table), fmt)
    return Response(content, content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename(table, scope, fmt)}"'})
