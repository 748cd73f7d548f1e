"""Tasks: lists (mine / claimable / done), one task with its form, claim, unclaim, assign (and whom to),
complete."""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.common import page_answer
from app.api.schemas.tasks import (
    TaskAssignSchema,
    TaskCandidateSchema,
    TaskCompleteSchema,
    TaskDetailSchema,
    TaskListArgsSchema,
    TaskPageSchema,
    TaskSchema,
)
from app.auth import bearer_actor
from app.models import Actor, Task
from app.policy import on_applicant_side
from app.services.cases.free_text import masked_free_text, others_free_text
from app.services.cases.internal_fields import hidden_keys, without_keys
from app.services.records.identifiers import masked_personal_data
from app.services.tasks import work as task_service
from app.services.tasks.lists import TaskFilter, list_tasks, task_row

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1/tasks", description="待办任务")


def task_detail(actor: Actor, task: Task) -> dict[str, Any]:
    """A task's row with its form (choices rendered for the caller) and what the case holds so far."""
    # the applicant side pre-fills with what it entered (never the fields internal to the authorities); others see
    # ID numbers and phones masked; each side the ID numbers and phones in the free text the other typed
    applicant_side = on_applicant_side(actor, task.case)
    row = task_row(task, actor)
    data = without_keys(task.case.data or {}, hidden_keys(task.case.procedure_version_id, applicant_side))
    shown = masked_free_text(data if applicant_side else masked_personal_data(data),
                             others_free_text(task.case.procedure_version_id, applicant_side))
    return {**{name: getattr(row, name) for name in row.__slots__}, "form": task_service.task_form(actor, task),
            "data": shown}


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskListArgsSchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The caller's claimed tasks (mine), those it may claim (claimable) or has done (done)."""
        items, total = list_tasks(bearer_actor(), TaskFilter(**args))
        return page_answer(items, total, args)


@blp.route("/<task_id>")
class TaskResource(MethodView):
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id: str) -> Any:
        """One task with its form (JSON Schema with the caller's choices)."""
        actor = bearer_actor()
        return task_detail(actor, task_service.get_task(actor, task_id))


@blp.route("/<task_id>/claim")
class TaskClaim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> Any:
        """Claim an unclaimed task; a task someone else claimed first answers 409, one the caller holds already
        is answered as it is."""
        actor = bearer_actor()
        return task_row(task_service.claim_task(actor, task_id), actor)


@blp.route("/<task_id>/unclaim")
class TaskUnclaim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id: str) -> Any:
        """Put a claimed task back into the claimable pool."""
        actor = bearer_actor()
        return task_row(task_service.unclaim_task(actor, task_id), actor)


@blp.route("/<task_id>/candidates")
class TaskCandidates(MethodView):
    @blp.response(200, TaskCandidateSchema(many=True))
    def get(self, task_id: str) -> Any:
        """Whom a lead may assign the open task to (the `user_id` of an assign), by name: the active users of
        its role and region who may work on it, not one its four-eyes rule keeps from it. Those who may assign
        only (403 otherwise); 409 `task_not_open` for a task done or cancelled."""
        return task_service.assignable_users(bearer_actor(), task_id)


@blp.route("/<task_id>/assign")
class TaskAssign(MethodView):
    @blp.arguments(TaskAssignSchema)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """A lead assigns the task to a reviewer of its region: one of its `candidates`."""
        actor = bearer_actor()
        return task_row(task_service.assign_task(actor, task_id, body["user_id"]), actor)


@blp.route("/<task_id>/complete")
class TaskComplete(MethodView):
    @blp.arguments(TaskCompleteSchema)
    @blp.response(200, TaskSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Submit the form; invalid data answers 422 with a message per field and changes nothing."""
        actor = bearer_actor()
        return task_row(task_service.complete_task(actor, task_id, body["data"]), actor)
