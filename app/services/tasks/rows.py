"""Task rows as the step pipeline projects them from a version's manifest: who a task goes to (its
jurisdiction), and the open rows of a case moved to another version (same id, or the same step's new id)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.engine import ReadyTask
from app.extensions import db
from app.models import PROVINCE_CODE, Case, Task, TaskStatus, User
from app.policy import is_candidate

SYSTEM_PROPERTIES = ("provisional_deadline",)  # set on the row by the pipeline, not by the diagram
# The rule the task's deadline was counted by: an open task keeps its deadline through a migration, so it keeps
# the limit shown beside it too (the new version's limit applies to its next tasks).
DEADLINE_PROPERTIES = ("dueIn", "warnAt")


OFFICIAL_SCOPES = frozenset({"case_city", "case_region", "province"})
# The lane scopes in which a holder of the role can be a task's candidate (policy.is_candidate, with the region or
# organisation `jurisdiction` gives the task): applicants' roles only in their organisation's tasks, reviewers
# only at their own level. The deploy refuses a lane mapping outside it: its tasks would wait for no one.
SCOPES_OF_ROLE: dict[str, frozenset[str]] = {
    "enterprise": frozenset({"applicant"}), "individual": frozenset({"applicant"}),
    "county_reviewer": frozenset({"case_region"}), "city_reviewer": frozenset({"case_city", "case_region"}),
    "province_reviewer": frozenset({"province"}),
    "lead": OFFICIAL_SCOPES, "admin": OFFICIAL_SCOPES, "supervisor": OFFICIAL_SCOPES, "analyst": OFFICIAL_SCOPES,
    "auditor": OFFICIAL_SCOPES}


def jurisdiction(scope: str, case: Case) -> tuple[str | None, int | None]:
    """(region, candidate organisation) of a task of this lane scope in this case."""
    if scope == "applicant":
        return None, case.applicant_org_id
    if scope == "province":
        return PROVINCE_CODE, None
    if scope == "case_city":
        return case.region_code[:4] + "00", None
    return case.region_code, None


def _apply(row: Task, ready: ReadyTask, meta: dict[str, Any], case: Case) -> None:
    """The row as the target version describes its step; its claim, times and deadlines are kept (a claim only
    while its holder may still work on it)."""
    row.id, row.bpmn_id, row.title, row.lane = ready.id, ready.bpmn_id, meta["title"], meta["lane"]
    row.role, row.scope, row.form_key = meta["role"], meta["scope"], meta["form_key"]
    row.region_code, row.candidate_org_id = jurisdiction(meta["scope"], case)
    kept = {k: v for k, v in (row.properties or {}).items() if k in SYSTEM_PROPERTIES + DEADLINE_PROPERTIES}
    described = {k: v for k, v in dict(meta["properties"]).items() if k not in DEADLINE_PROPERTIES}
    row.properties = {**described, **kept}
    if row.assignee_id is not None:
        holder = db.session.get(User, row.assignee_id)
        if holder is None or not is_candidate(holder, row):
            row.assignee_id, row.claimed_at = None, None


def retarget_open_rows(case: Case, rows: Iterable[Task], ready: list[ReadyTask], mapping: dict[str, str],
                       target_tasks: dict[str, Any]) -> None:
    """After a migration: each open row of a task still ready takes the target's description of its step; a
    step whose task got a new id keeps its row (claim, deadlines) under the new id, found by bpmn id (through
    `mapping` for a renamed step). Rows of tasks no longer ready are left to the pipeline (cancelled)."""
    open_rows = [row for row in rows if row.status == TaskStatus.OPEN]
    by_id = {row.id: row for row in open_rows}
    ready_ids = {task.id for task in ready}
    by_step = {mapping.get(row.bpmn_id, row.bpmn_id): row for row in open_rows if row.id not in ready_ids}
    for task in ready:
        row = by_id.get(task.id) or by_step.pop(task.bpmn_id, None)
        if row is not None and task.bpmn_id in target_tasks:
            _apply(row, task, target_tasks[task.bpmn_id], case)
