"""Helpers the page modules share: upload limits, the case's forms for display, attachment names, the page
number and the days of a search from the query string."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app

from app.dates import FIRST_DAY, LAST_DAY
from app.models import Actor, Case
from app.services.cases.attachments import UploadLimits, attachments_seen_by, events_seen_by, list_attachments
from app.services.cases.history import Event
from app.services.procedures import forms
from app.services.procedures.versions import form_keys_in_order
from app.services.tasks.lists import StepOfTask, steps_of_case
from app.web.data_display import CaseFiles, Round, filed_attachments, merged_properties


def upload_limits() -> UploadLimits:
    return UploadLimits(current_app.config["UPLOAD_DIR"], current_app.config["MAX_UPLOAD_BYTES"],
                        current_app.config["MAX_CASE_UPLOAD_BYTES"])




def case_properties(actor: Actor, case: Case) -> dict[str, dict[str, Any]]:
    """Every field of every form of the case's version, with choices rendered for the actor, in the order
    of the procedure's steps (form_keys_in_order) and, within a form, in the form's own order."""
    return CaseForms.of(actor, case).merged


@dataclass
class CaseForms:
    """The case's forms for display. Several forms may name the same field (`decision` of the city's review
    and of the province's confirmation): a submission is labelled by its own form, and the case's current
    data by the form that last submitted each field, never by the first form naming it."""

    merged: dict[str, dict[str, Any]]
    by_form: dict[str, dict[str, dict[str, Any]]]
    steps: dict[str, StepOfTask] = field(default_factory=dict)

    @classmethod
    def of(cls, actor: Actor, case: Case, with_steps: bool = False) -> CaseForms:
        version_id = case.procedure_version_id
        by_form = {key: dict(forms.render_schema(forms.form_schema(version_id, key), actor, case,
                                                 to_fill=False)
                             .get("properties") or {}) for key in form_keys_in_order(version_id)}
        merged = merged_properties({"properties": props} for props in by_form.values())
        return cls(merged, by_form, steps_of_case(case.id) if with_steps else {})

    def of_task(self, task_id: str | None) -> dict[str, dict[str, Any]]:
        """The fields as the task's own form labels them (the others as merged)."""
        step = self.steps.get(task_id or "")
        own = self.by_form.get(step.form_key, {}) if step else {}
        return {key: own.get(key, spec) for key, spec in self.merged.items()}

    def current(self, events: Iterable[Event]) -> dict[str, dict[str, Any]]:
        """The fields of the case data, each labelled by the form of its latest submission."""
        props = dict(self.merged)
        for event in events:
            data = event.payload.get("data") if event.kind == "task_completed" else None
            step = self.steps.get(event.task_id or "")
            if not isinstance(data, dict) or step is None:
                continue
            own = self.by_form.get(step.form_key, {})
            props.update((key, own[key]) for key in data if key in own)
        return props


def attachment_names(case: Case) -> dict[str, str]:
    return {a.id: a.filename for a in list_attachments(case.id)}


def attachment_names_seen_by(actor: Actor, case: Case, events: Sequence[Event] | None = None) -> dict[str, str]:
    """The names of the case's files the actor sees (attachments_seen_by): for a form showing ids as typed or held
    in a 暂存 draft, where an id of the other side's unsubmitted upload must read as an unknown id does."""
    return {a.id: a.filename for a in attachments_seen_by(actor, case, events).attachments}


def case_files(actor: Actor, case: Case, properties: Mapping[str, dict[str, Any]],
               events: Sequence[Event]) -> CaseFiles:
    """The case page's attachments as the actor sees them (services/cases/attachments: attachments_seen_by): those
    some submission (`events`: the case's history) referenced, by field, files superseded by a later round marked;
    apart, his own side's uploads no submission referenced. With the history events he reads (events_seen_by)."""
    seen = attachments_seen_by(actor, case, events)
    rounds = [Round(e.payload.get("data") or {}, e.step or "", e.at) for e in events
              if e.kind == "task_completed" and isinstance(e.payload.get("data"), dict)]
    files = filed_attachments(properties, rounds, case.data or {}, seen.attachments, {a.id for a in seen.unsubmitted})
    files.authority_side = seen.authority_side
    files.events = {e.id for e in events_seen_by(actor, case, events, seen.ids)}
    return files


MAX_PAGE = 1_000_000  # beyond any list; larger numbers would overflow the database's OFFSET


def page_args(value: str | None, default: int = 1) -> int:
    """A page number from the query string, 1..MAX_PAGE (see last_page for one past the end)."""
    try:
        return min(max(1, int(value or default)), MAX_PAGE)
    except ValueError:  # not a number, or thousands of digits
        return default


def last_page(total: int, per_page: int) -> int:
    """The last page of `total` items (1 when there are none): a page past it shows this one."""
    return max(1, -(-total // per_page))


def query_day(value: str | None) -> date | None:
    """A day bounding a search, from the query string (None: none, or not a date). A day off the calendar, such as
    the 9999-12-31 typed for "no end date", is taken as its first or last day: the search's own conversions (a day
    on, China midnight in UTC) would overflow, and no record is dated outside it."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return min(max(day, FIRST_DAY), LAST_DAY) if day else None
