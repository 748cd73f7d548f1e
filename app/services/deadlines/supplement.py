"""The applicant's 补正 date: by when he is asked to supply what a return (退回补正) lists.

One date, computed once when his task opens after the return (clocks.after_step), carried by that task (`due_at`,
deadline_state SUPPLEMENT_DUE) and read by the notice and the 补正告知书 (notifications_applicant.classify), so the
task page, the case page, the API and the documents say the same day. It is the applicant's date and informative
only: the case's clock stands still while he supplies (clocks: pause reason `supplement`), and the authority's SLA
(warning, overdue, escalation, the dashboards) never counts it: the state is none of theirs, applicant tasks carry
no region, and the task leaves no on-time / late outcome when it is done.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.models import Case, CaseStatus, Task
from app.services.deadlines.calendar import WorkCalendar, business_hours, current_calendar
from app.services.deadlines.limits import compute_deadline, limit_words, parse_limit
from app.services.procedures.versions import manifest_of

SUPPLEMENT_DUE = "supplement"  # the deadline_state of the applicant's task answering a 补正 return
DEFAULT_LIMIT = "10 working days"


def supplement_due(case: Case, now: datetime, calendar: WorkCalendar | None = None) -> tuple[datetime, str]:
    """By when the applicant is asked to supply the materials: the procedure's `supplementLimit`, else
    SUPPLEMENT_LIMIT (working days counted as every limit is, on `calendar`: default the current one), and the
    limit in words."""
    props = manifest_of(case.procedure_version_id).get("properties", {}) or {}
    text = str(props.get("supplementLimit") or current_app.config.get("SUPPLEMENT_LIMIT") or DEFAULT_LIMIT)
    limit = parse_limit(text) or parse_limit(DEFAULT_LIMIT)
    assert limit is not None
    due = compute_deadline(now, limit, calendar or current_calendar(), business_hours()).due_at
    return due, limit_words(limit)


def answers_a_return(task: Task) -> bool:
    """The task is the applicant's, opened while his case waits for him after a 补正 return (not after a refusal
    he may amend: that one has no date, a new application restarts the limit)."""
    case = task.case
    return (task.scope == "applicant" and case is not None and case.status == CaseStatus.WAITING_FOR_APPLICANT
            and (case.data or {}).get("decision") == "return")


def set_supplement_due(task: Task, calendar: WorkCalendar) -> None:
    """Give the applicant's task answering a return its 补正 date (counted from when it opened)."""
    task.due_at, task.warn_at = supplement_due(task.case, task.created_at, calendar)[0], None
    task.deadline_state = SUPPLEMENT_DUE
