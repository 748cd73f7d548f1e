"""Documents issued on a case (受理通知书, 补正告知书, 不予…决定书, 办结通知, 审核决定书, 处理决定书)."""
from marshmallow import Schema, fields

from app.api.schemas.common import DateTime, Integer


class CaseDocumentSchema(Schema):
    id = Integer()
    case_id = Integer()
    kind = fields.String(metadata={"description": "acceptance (受理通知书) | supplement (补正告知书) | refusal "
                                               "(不予…决定书) | completion (办结通知) | decision (审核决定书: an "
                                               "approval whose case still waits for another system, e.g. a B→A "
                                               "upgrade for the national platform's acknowledgement; its 办结通知 "
                                               "follows when the case completes) | sanction (处理决定书: a spot "
                                               "check's finding of false data)"})
    title = fields.String()
    number = fields.String(metadata={"description": "文号, e.g. 南宁住建受〔2026〕12号"})
    issuer_name = fields.String()
    issued_at = DateTime()
    verification_code = fields.String(metadata={"description": "checked publicly at /verify/{code}"})
    sha256 = fields.String(allow_none=True, metadata={"description": "of the PDF, once rendered"})
