"""事中事后抽查: draw parameters in, the draw (strata, exclusions, items, cases), the draws made (seed, parameters,
population, verification) and 通报批评 notices out."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, computed


class DrawCreateSchema(Schema):
    sample_size = Integer(required=True, validate=validate.Range(min=1, max=50))
    exclude_months = Integer(load_default=6, validate=validate.Range(min=0, max=36),
                             metadata={"description": "排除最近 N 个月内已被抽查的企业"})
    seed = fields.String(validate=validate.Regexp(r"^[0-9A-Za-z_-]{1,64}$"), metadata={"description": (
        "随机种子，只用于预览（dry_run）：相同种子、相同总体得到相同样本；省略时由系统生成。正式抽取的种子一律由系统"
        "生成（不可预知），指定时拒绝：422 `spot_check_seed_refused`")})
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "只预览抽取结果，不保存、不发起办件（预览也记入审计日志）"})


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
    seed = fields.String(attribute="plan.seed", metadata={
        "description": "本次使用的随机种子：正式抽取时由系统生成，与抽取记录一并保存和公开"})
    region_code = fields.String(metadata={"description": "抽取范围（设区市或全区）"})
    sample_size = Integer(attribute="plan.sample_size")
    exclude_months = Integer()
    strata = fields.Dict(keys=fields.String(), values=fields.Nested(StratumSchema), attribute="plan.strata",
                         metadata={"description": "层（企业类型·设区市）→ 总体数、抽取数"})
    excluded = fields.List(Integer(), metadata={"description": "近期已抽查而排除的企业"})
    items = fields.List(fields.Nested(DrawnItemSchema), attribute="plan.items")
    case_ids = fields.List(Integer())


class StoredItemSchema(DrawnItemSchema):
    case_id = Integer(allow_none=True, metadata={"description": "核查该事项的抽查办件"})


class PopulationSchema(Schema):
    enterprise_id = Integer()
    stratum = fields.String()
    item_refs = fields.List(fields.String(), metadata={"description": "该企业可被抽取的事项，按编号排序"})


class DrawSummarySchema(Schema):
    id = Integer()
    region_code = fields.String()
    seed = fields.String()
    sample_size = Integer()
    exclude_months = Integer()
    drawn_at = DateTime()
    drawn_by = fields.String()
    drawn = Integer(metadata={"description": "实际抽取的事项数"})


class DrawListSchema(Schema):
    items = fields.List(fields.Nested(DrawSummarySchema))


class DrawRecordSchema(Schema):
    """A stored draw (services.records.spot_check_draws.StoredDraw): all that is needed to recompute it."""

    id = Integer(attribute="record.id")
    region_code = fields.String(attribute="record.region_code")
    seed = fields.String(attribute="record.seed", metadata={"description": "系统生成的随机种子"})
    sample_size = Integer(attribute="record.sample_size")
    exclude_months = Integer(attribute="record.exclude_months")
    drawn_at = DateTime(attribute="record.drawn_at")
    drawn_by = fields.String(attribute="record.drawn_by")
    strata = fields.Dict(keys=fields.String(), values=fields.Nested(StratumSchema), attribute="record.strata")
    excluded = fields.List(Integer(), attribute="record.excluded", metadata={"description": "近期已抽查而排除的企业"})
    population = fields.List(fields.Nested(PopulationSchema), attribute="population_rows", metadata={
        "description": "抽取时的总体（排除后）：以此、随机种子和抽查数量可重新计算本次抽取（plan_draw）；早期记录为空"})
    items = fields.List(fields.Nested(StoredItemSchema))
    verified = fields.Boolean(allow_none=True, metadata={
        "description": ("按保存的总体、随机种子和抽查数量重新计算，与保存的分层和事项一致；"
                        "null：早期记录未保存总体，无法复核")})


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
