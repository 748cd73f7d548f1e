"""事中事后抽查: draw parameters in, the draw (strata, exclusions, items, cases) and 通报批评 notices out."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, computed


class DrawCreateSchema(Schema):
    sample_size = Integer(required=True, validate=validate.Range(min=1, max=50))
    exclude_months = Integer(load_default=6, validate=validate.Range(min=0, max=36),
                             metadata={"description": "排除最近 N 个月内已被抽查的企业"})
    seed = fields.String(validate=validate.Regexp(r"^[0-9A-Za-z_-]{1,64}$"),
                         metadata={"description": "随机种子：相同种子、相同总体得到相同样本；省略时自动生成"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只预览抽取结果，不保存、不发起办件"})


class DrawnItemSchema(Schema):
    enterprise_id = Integer()
    stratum = fields.String()
    item_ref = fields.String()
    item_title = fields.String()


class StratumSchema(Schema):
    population = Integer(metadata={"description": "总体数"})
    drawn = Integer(metadata={"description": "抽取数"})


class DrawSchema(Schema):
    """A draw (services.records.spot_checks.DrawResult): its plan, and the stored draw unless a dry run."""

    draw_id = computed(lambda r: r.draw.id if r.draw else None, "integer", nullable=True,
                       description="null: a dry run, nothing stored")
    seed = fields.String(attribute="plan.seed")
    sample_size = Integer(attribute="plan.sample_size")
    strata = fields.Dict(keys=fields.String(), values=fields.Nested(StratumSchema), attribute="plan.strata",
                         metadata={"description": "层（企业类型·设区市）→ 总体数、抽取数"})
    excluded = fields.List(Integer(), metadata={"description": "近期已抽查而排除的企业"})
    items = fields.List(fields.Nested(DrawnItemSchema), attribute="plan.items")
    case_ids = fields.List(Integer())


class NoticeSchema(Schema):
    id = Integer()
    kind = fields.String()
    enterprise_id = Integer()
    case_id = Integer(allow_none=True)
    issuer = fields.String()
    title = fields.String()
    body = fields.String()
    published_at = DateTime()


class NoticeListSchema(Schema):
    items = fields.List(fields.Nested(NoticeSchema))
