"""Task output and inputs."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer, PageArgsSchema, UserRefSchema, computed, id_field, value
from app.models import ROLE_TITLES


class TaskSchema(Schema):
    """A task (services.tasks.lists.TaskRow)."""

    id = fields.String()
    case_id = Integer()
    case_number = fields.String()
    case_title = fields.String()
    procedure = fields.String()
    bpmn_id = fields.String()
    title = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String()
    role_title = computed(lambda t: ROLE_TITLES.get(value(t, "role"), value(t, "role")), "string")
    region_code = fields.String(allow_none=True)
    status = fields.String()
    assignee = fields.Nested(UserRefSchema, allow_none=True)
    form_key = fields.String()
    created_at = DateTime()
    claimed_at = DateTime(allow_none=True)
    completed_at = DateTime(allow_none=True)
    due_at = DateTime(allow_none=True)
    warn_at = DateTime(allow_none=True)
    deadline_state = fields.String(allow_none=True, metadata={"description": (
        "时限状态 of an authority's step: on_time | warning | overdue | paused (a step that does not count) | "
        "completed_on_time | completed_late; null: no limit. On the applicant's own task answering a 补正 return: "
        "supplement, with due_at the date the 补正告知书 states (informative, not an SLA state: never warning, "
        "overdue or completed_*)")})
    deadline_provisional = computed(lambda t: bool((value(t, "properties") or {}).get("provisional_deadline")),
                                    "boolean", description="暂定: the deadline crosses a year the working-day "
                                                           "calendar does not hold yet")
    due_in = computed(lambda t: (value(t, "properties") or {}).get("dueIn"), "string", nullable=True,
                      description="the step's time limit as the diagram states it, e.g. `10 working days`")


class TaskDetailSchema(TaskSchema):
    form = fields.Dict(metadata={"description": "JSON Schema of the form, choices rendered for the caller"})
    data = fields.Dict(metadata={"description": "what the case holds so far, to pre-fill the form (ID numbers "
                                               "and phones masked unless the caller is of the applicant side)"})


class TaskListArgsSchema(PageArgsSchema):
    view = fields.String(load_default="mine", validate=validate.OneOf(["mine", "claimable", "done"]))
    procedure = fields.String()


class TaskPageSchema(Schema):
    items = fields.Nested(TaskSchema, many=True)  # one dump of the page, not one per task
    total = Integer()
    page = Integer()
    per_page = Integer()


class TaskCompleteSchema(Schema):
    data = fields.Dict(required=True)


class TaskAssignSchema(Schema):
    user_id = id_field(required=True)


class TaskCandidateSchema(UserRefSchema):
    """A user the task may be assigned to (send `id` as the assign's `user_id`)."""
