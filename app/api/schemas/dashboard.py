"""SLA dashboard: query arguments and the generic table shape (columns with Chinese titles, rows)."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import Integer

TABLE_NAMES = ("open_cases", "open_tasks", "by_procedure", "by_step", "by_region", "overdue_tasks",
               "overdue_cases", "trend", "scorecard_authority", "scorecard_reviewer")


class DashboardArgsSchema(Schema):
    region = fields.String(validate=validate.Regexp(r"^\d{6}$"), metadata={
        "description": "地区代码（默认：本人辖区）；自治区可下钻到设区市、县区"})
    first = fields.Date(metadata={"description": "统计期首日（默认：30天前）"})
    last = fields.Date(metadata={"description": "统计期末日（默认：今天，北京时间）"})
    weeks = Integer(validate=validate.Range(min=1, max=104), metadata={"description": "趋势周数（默认12）"})


class DashboardExportArgsSchema(DashboardArgsSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class ColumnSchema(Schema):
    key = fields.String()
    title = fields.String()
    kind = fields.String()


class RegionRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class DashboardTableSchema(Schema):
    name = fields.String()
    title = fields.String()
    region = fields.String()
    region_path = fields.List(fields.Nested(RegionRefSchema))
    first = fields.Date()
    last = fields.Date()
    columns = fields.List(fields.Nested(ColumnSchema))
    rows = fields.List(fields.Dict())
    total = Integer(allow_none=True, metadata={"description": "超期清单的总条数（rows 只含前200条）"})


class DashboardSchema(Schema):
    region = fields.String()
    region_path = fields.List(fields.Nested(RegionRefSchema))
    first = fields.Date()
    last = fields.Date()
    tables = fields.List(fields.Nested(DashboardTableSchema))
