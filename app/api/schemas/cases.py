"""Case output and inputs."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import OrganisationRefSchema, PageArgsSchema, UserRefSchema, value
from app.api.schemas.tasks import TaskSchema
from app.models import CASE_STATUS_TITLES
from app.services.cases.lifecycle import MAX_WITHDRAW_REASON


class CaseEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.Nested(UserRefSchema, allow_none=True)
    task_id = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    payload = fields.Dict()


class AttachmentSchema(Schema):
    id = fields.String()
    case_id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()


# The case's own columns a CaseSchema shows (api/cases.case_view adds the version's name and the clock's flags).
CASE_COLUMNS = ("id", "number", "procedure_key", "status", "title", "applicant", "region_code", "current_step",
                "error_message", "data", "created_at", "updated_at", "completed_at", "due_at", "warn_at",
                "statutory_due_at", "deadline_state")


class CaseSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    procedure = fields.String(attribute="procedure_key")
    procedure_name = fields.String()
    procedure_version = fields.Integer()
    status = fields.String()
    status_title = fields.Function(lambda c: CASE_STATUS_TITLES.get(value(c, "status"), value(c, "status")))
    title = fields.String()
    applicant = fields.Nested(OrganisationRefSchema)
    region_code = fields.String()
    current_step = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)
    data = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    # Deadlines (committed limit 承诺时限 with its warning point, statutory limit 法定时限) and state.
    due_at = fields.DateTime(allow_none=True)
    warn_at = fields.DateTime(allow_none=True)
    statutory_due_at = fields.DateTime(allow_none=True)
    deadline_state = fields.String(allow_none=True)
    deadline_provisional = fields.Boolean()
    statutory_overdue = fields.Boolean()


class CaseDetailSchema(CaseSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema))
    history = fields.List(fields.Nested(CaseEventSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


class CaseCreateSchema(Schema):
    procedure = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(load_default=dict)


class CaseListArgsSchema(PageArgsSchema):
    status = fields.String()
    procedure = fields.String()
    number = fields.String()


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CaseWithdrawSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_WITHDRAW_REASON))
