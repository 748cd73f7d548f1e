"""Cases: start, list, show (with open tasks and history), withdraw, admin retry."""
from dataclasses import replace
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.cases import (
    CASE_COLUMNS,
    CaseCreateSchema,
    CaseDetailSchema,
    CaseListArgsSchema,
    CasePageSchema,
    CaseWithdrawSchema,
)
from app.api.schemas.common import page_answer
from app.auth import bearer_actor
from app.models import Actor, Case, Task
from app.policy import on_applicant_side
from app.routing import ID
from app.services.cases import lifecycle as case_service
from app.services.cases.attachments import attachments_seen_by, events_seen_by
from app.services.cases.free_text import masked_event_payload, masked_free_text, others_free_text
from app.services.cases.history import Event, list_events
from app.services.cases.internal_fields import events_without, hidden_keys, without_keys
from app.services.procedures.versions import label_of
from app.services.records.identifiers import masked_personal_data
from app.services.tasks.lists import task_row

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases", description="办件")


def case_view(case: Case, actor: Actor, clock: tuple[bool, bool] = (False, False)) -> dict[str, Any]:
    """A case as CaseSchema shows it: its columns (ID numbers and phones in its data masked for those who did
    not enter them, and in the free text the other side typed; the fields internal to the authorities left out for
    the applicant's side), its procedure version's name and number, and its clock's flags (deadline provisional,
    statutory limit passed)."""
    name, number = label_of(case.procedure_version_id)
    view = {column: getattr(case, column) for column in CASE_COLUMNS}
    applicant_side = on_applicant_side(actor, case)
    data = without_keys(view["data"] or {}, hidden_keys(case.procedure_version_id, applicant_side))
    view["data"] = masked_free_text(data if applicant_side else masked_personal_data(data),
                                    others_free_text(case.procedure_version_id, applicant_side))
    return {**view, "procedure_name": name, "procedure_version": number, "deadline_provisional": clock[0],
            "statutory_overdue": clock[1]}


def _history(case: Case, actor: Actor, events: list[Event]) -> list[Any]:
    """The case's events as the actor reads them (events_seen_by: no upload the other side has not submitted);
    what forms submitted (and changed) masked as the case's data is, without the fields internal to the
    authorities for the applicant's side, and a comment or reason masked for all but who typed it."""
    applicant_side = on_applicant_side(actor, case)
    keys = others_free_text(case.procedure_version_id, applicant_side)
    return [replace(event, payload=masked_event_payload(
        event.kind, event.payload if applicant_side else masked_personal_data(event.payload), keys,
        event.actor_id == actor.id))
        for event in events_without(events, hidden_keys(case.procedure_version_id, applicant_side))]


def case_detail(case: Case, actor: Actor, open_tasks: list[Task] | None = None) -> dict[str, Any]:
    """A case with its open tasks, history and attachments, for CaseDetailSchema; `open_tasks` given: a case
    started in this request (its step's open task rows, and no attachments yet)."""
    started = open_tasks is not None
    tasks = open_tasks if open_tasks is not None else case_service.open_tasks_of(case)
    # A case started in this request and received at once may have its clock added by case id (after a handler's
    # flush gave the case its id), not on case.clock: its flags are read from the table (deadline_provisional was
    # false there). A case not received yet (a draft) has no clock to read.
    flags = (case_service.clock_flags([case.id]).get(case.id, (False, False))
             if started and case.received_at is not None else case_service.clock_flags_of(case))
    events = list_events(case)
    # (a case started in this request has no attachments yet)
    attachments = [] if started else attachments_seen_by(actor, case, events).attachments
    return {**case_view(case, actor, flags), "open_tasks": [task_row(t, actor) for t in tasks],
            "history": _history(case, actor, events_seen_by(actor, case, events, {a.id for a in attachments})),
            "attachments": attachments}


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Cases the caller may see, newest first (or soonest due): 办件查询 by number, status, procedure,
        applicant, person, project, region, the day received and the deadline state."""
        actor = bearer_actor()
        items, total = case_service.list_cases(actor, case_service.CaseFilter(**args))
        clocks = case_service.clock_flags([case.id for case in items])
        return page_answer([case_view(case, actor, clocks.get(case.id, (False, False))) for case in items], total,
                           args)

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseDetailSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Start a case; the applicant's own first form is already claimed by the caller."""
        actor = bearer_actor()
        started = case_service.start_case_with_tasks(actor, body["procedure"], body["data"])
        return case_detail(started.case, actor, started.open_tasks)


@blp.route(f"/<{ID}:case_id>")
class CaseResource(MethodView):
    @blp.response(200, CaseDetailSchema)
    def get(self, case_id: int) -> Any:
        """One case with its open tasks, history and attachments."""
        actor = bearer_actor()
        return case_detail(case_service.get_case(actor, case_id, with_clock=True), actor)


@blp.route(f"/<{ID}:case_id>/withdraw")
class CaseWithdraw(MethodView):
    @blp.arguments(CaseWithdrawSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, body: dict[str, Any], case_id: int) -> Any:
        """The applicant withdraws an open case."""
        actor = bearer_actor()
        return case_detail(case_service.withdraw_case(actor, case_id, body["reason"]), actor)


@blp.route(f"/<{ID}:case_id>/retry")
class CaseRetry(MethodView):
    @blp.response(200, CaseDetailSchema)
    def post(self, case_id: int) -> Any:
        """An admin retries the failed step of a case in error."""
        actor = bearer_actor()
        return case_detail(case_service.retry_case(actor, case_id), actor)
