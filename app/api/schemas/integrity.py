"""诚信综合评价 output: the score on a date, the ledger lines up to it, behaviour records."""
from marshmallow import Schema, fields

from app.api.schemas.common import Integer
from app.models import BEHAVIOUR_KIND_TITLES, LEDGER_SOURCE_TITLES


class IntegrityArgsSchema(Schema):
    on = fields.Date(metadata={"description": "查询日期（默认今天）：该日的诚信分及截至该日的记录"})


class LedgerLineSchema(Schema):
    id = fields.Function(lambda line: line.entry.id)
    points = fields.Function(lambda line: str(line.entry.points), metadata={"description": "加分为正，扣分为负"})
    balance = fields.Function(lambda line: str(line.balance), metadata={"description": "本条记录后的诚信分"})
    reason = fields.Function(lambda line: line.entry.reason)
    source = fields.Function(lambda line: line.entry.source)
    source_title = fields.Function(lambda line: LEDGER_SOURCE_TITLES.get(line.entry.source, line.entry.source))
    source_case_id = fields.Function(lambda line: line.entry.source_case_id)
    corrects_entry_id = fields.Function(lambda line: line.entry.corrects_entry_id)
    effective_on = fields.Function(lambda line: line.entry.effective_on.isoformat())
    recorded_at = fields.Function(lambda line: line.entry.recorded_at.isoformat())
    recorded_by = fields.Function(lambda line: line.entry.recorded_by)


class BehaviourSchema(Schema):
    id = Integer()
    kind = fields.String()
    kind_title = fields.Function(lambda b: BEHAVIOUR_KIND_TITLES.get(b.kind, b.kind))
    title = fields.String()
    description = fields.String(allow_none=True)
    source = fields.String()
    source_case_id = Integer(allow_none=True)
    occurred_on = fields.Date()
    reported_national = fields.Boolean()
    recorded_by = fields.String()


class IntegritySchema(Schema):
    enterprise_id = fields.Function(lambda v: v.enterprise.id)
    enterprise_name = fields.Function(lambda v: v.enterprise.name)
    on = fields.Date()
    score = fields.Function(lambda v: str(v.score), metadata={"description": "该日诚信分 = 截至该日所有记录之和"})
    entries = fields.List(fields.Nested(LedgerLineSchema), attribute="lines")
    behaviours = fields.List(fields.Nested(BehaviourSchema))
