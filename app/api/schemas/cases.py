"""Case output and inputs."""
from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from app.api.schemas.common import (
    DateTime,
    Integer,
    OrganisationRefSchema,
    PageArgsSchema,
    SearchDay,
    UserRefSchema,
    computed,
    value,
)
from app.api.schemas.tasks import TaskSchema
from app.models import CASE_STATUS_TITLES, CaseStatus
from app.services.cases.lifecycle import MAX_WITHDRAW_REASON
from app.services.cases.search import SEARCH_DEADLINE_STATES, SORTS


class CaseEventSchema(Schema):
    id = Integer()
    at = DateTime()
    kind = fields.String()
    actor = fields.Nested(UserRefSchema, allow_none=True)
    task_id = fields.String(allow_none=True)
    step = fields.String(allow_none=True)
    payload = fields.Dict()


class AttachmentSchema(Schema):
    id = fields.String()
    case_id = Integer()
    filename = fields.String()
    content_type = fields.String()
    size = Integer()
    sha256 = fields.String()
    uploaded_at = DateTime()


# The case's own columns a CaseSchema shows (api/cases.case_view adds the version's name and the clock's flags).
CASE_COLUMNS = ("id", "number", "procedure_key", "status", "title", "applicant", "region_code", "current_step",
                "error_message", "data", "created_at", "updated_at", "completed_at", "due_at", "warn_at",
                "statutory_due_at", "deadline_state")


class CaseSchema(Schema):
    id = Integer()
    number = fields.String()
    procedure = fields.String(attribute="procedure_key")
    procedure_name = fields.String()
    procedure_version = Integer()
    status = fields.String()
    status_title = computed(lambda c: CASE_STATUS_TITLES.get(value(c, "status"), value(c, "status")), "string")
    title = fields.String()
    applicant = fields.Nested(OrganisationRefSchema)
    region_code = fields.String()
    current_step = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)
    data = fields.Dict()
    created_at = DateTime()
    updated_at = DateTime()
    completed_at = DateTime(allow_none=True)
    # Deadlines (committed limit 承诺时限 with its warning point, statutory limit 法定时限) and state.
    due_at = DateTime(allow_none=True)
    warn_at = DateTime(allow_none=True)
    statutory_due_at = DateTime(allow_none=True)
    deadline_state = fields.String(allow_none=True)
    deadline_provisional = fields.Boolean()
    statutory_overdue = fields.Boolean()


class CaseDetailSchema(CaseSchema):
    # Nested(many=True): one dump of the whole list, not one per item (a case's history grows with it).
    open_tasks = fields.Nested(TaskSchema, many=True)
    history = fields.Nested(CaseEventSchema, many=True)
    attachments = fields.Nested(AttachmentSchema, many=True)


class CaseCreateSchema(Schema):
    procedure = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(load_default=dict)


class CaseListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf([status.value for status in CaseStatus]),
                           metadata={"description": "状态"})
    procedure = fields.String(metadata={"description": "事项 key, e.g. personnel_unlock"})
    number = fields.String(validate=validate.Length(max=100), metadata={"description": "办件编号 (exact)"})
    applicant = fields.String(validate=validate.Length(max=100),
                              metadata={"description": "申请单位: part of its name, or its credit code"})
    person = fields.String(validate=validate.Length(max=100),
                           metadata={"description": "人员: part of a name, or a resident ID number"})
    project = fields.String(validate=validate.Length(max=100),
                            metadata={"description": "工程项目: part of its name, its code or permit number"})
    region = fields.String(validate=validate.Regexp(r"^\d{6}$"),
                           metadata={"description": "region code; a city covers its counties"})
    received_from = SearchDay(metadata={
        "description": "received on or after this day (China time; 2000-01-01 at the earliest)"})
    received_to = SearchDay(metadata={
        "description": "received on or before this day (China time; 2099-12-31 at the latest)"})
    deadline_state = fields.String(validate=validate.OneOf(list(SEARCH_DEADLINE_STATES)), metadata={"description": (
        "时限状态: the stored state, as each found case's deadline_state reads. A case paused (补正, a step that does"
        " not count) reads \"paused\", also when its limit had passed before the pause: deadline_state=overdue does"
        " not find it, though the dashboard API counts it overdue (red, paused_overdue)")})
    sort = fields.String(validate=validate.OneOf(list(SORTS)),
                         metadata={"description": "-received: newest first (default); due: soonest due first"})


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    total = Integer()
    page = Integer()
    per_page = Integer()


class CaseWithdrawSchema(Schema):
    # Required and not blank, as the service enforces it (请填写撤回理由, a field error, after the case's own
    # refusals such as case_closed): documented here, checked there, so a missing reason is answered as before.
    reason = fields.String(required=True, validate=validate.Length(max=MAX_WITHDRAW_REASON), metadata={
        "minLength": 1, "pattern": r"\s*\S",
        "description": f"why the applicant withdraws: not blank, at most {MAX_WITHDRAW_REASON} characters (blanks "
                       "around it not counted)"})

    @pre_load
    def _missing_reason_to_the_service(self, data: Any, **_: Any) -> Any:
        """A body without a reason reaches the service as a blank one, which refuses it with its own message."""
        return {**data, "reason": ""} if isinstance(data, dict) and "reason" not in data else data
