"""诚信综合评价 output: the score on a date, the ledger lines up to it, behaviour records."""
from typing import Any

from marshmallow import Schema, fields

from app.api.schemas.common import DateTime, Integer, computed
from app.models import BEHAVIOUR_KIND_TITLES, LEDGER_SOURCE_TITLES

# Points are exact to the hundredth: answered as text, which a JSON number (a binary float in most clients) is not.
_POINTS = {"format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "example": "87.00"}


def points_text(description: str, **kwargs: Any) -> fields.String:
    """An amount of integrity points, two decimals as text ("87.00", "-2.50")."""
    return fields.String(metadata={**_POINTS, "description": description}, **kwargs)


class IntegrityArgsSchema(Schema):
    on = fields.Date(metadata={"description": "查询日期（默认今天）：该日的诚信分及截至该日的记录"})


class LedgerLineSchema(Schema):
    """A ledger line (services.records.integrity.LedgerLine): its entry and the score after it."""

    id = Integer(attribute="entry.id")
    points = points_text("加分为正，扣分为负", attribute="entry.points")
    balance = points_text("本条记录后的诚信分")
    reason = fields.String(attribute="entry.reason")
    source = fields.String(attribute="entry.source")
    source_title = computed(lambda line: LEDGER_SOURCE_TITLES.get(line.entry.source, line.entry.source), "string")
    source_case_id = Integer(attribute="entry.source_case_id", allow_none=True)
    corrects_entry_id = Integer(attribute="entry.corrects_entry_id", allow_none=True)
    effective_on = fields.Date(attribute="entry.effective_on")
    recorded_at = DateTime(attribute="entry.recorded_at")
    recorded_by = fields.String(attribute="entry.recorded_by")


class BehaviourSchema(Schema):
    id = Integer()
    kind = fields.String()
    kind_title = computed(lambda b: BEHAVIOUR_KIND_TITLES.get(b.kind, b.kind), "string")
    title = fields.String()
    description = fields.String(allow_none=True)
    source = fields.String()
    source_case_id = Integer(allow_none=True)
    occurred_on = fields.Date()
    reported_national = fields.Boolean()
    recorded_by = fields.String()


class IntegritySchema(Schema):
    enterprise_id = Integer(attribute="enterprise.id")
    enterprise_name = fields.String(attribute="enterprise.name")
    on = fields.Date()
    score = points_text("该日诚信分 = 截至该日所有记录之和")
    entries = fields.List(fields.Nested(LedgerLineSchema), attribute="lines")
    behaviours = fields.List(fields.Nested(BehaviourSchema))
