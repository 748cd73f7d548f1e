"""What a case page shows beyond the case row: the diagram with its progress, counts by status."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Actor, Case, CaseEvent, Procedure, Task, TaskStatus
from app.policy import granted, may_start, visible_cases
from app.services.procedures.versions import files_of, list_procedures, manifest_of


@dataclass(frozen=True)
class DiagramView:
    """The BPMN XML of the case's version and the element ids already passed and waiting now."""

    xml: str | None
    completed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)


def _process_xml(case: Case) -> str | None:
    files = files_of(case.procedure_version_id)
    pattern = re.compile(r"<(?:\w+:)?process\b[^>]*\bid=\"" + re.escape(case.procedure_key) + "\"")
    diagrams = [text for name, text in sorted(files.items()) if name.endswith(".bpmn")]
    return next((text for text in diagrams if pattern.search(text)), diagrams[0] if diagrams else None)


def case_diagram(case: Case) -> DiagramView:
    """Completed user tasks and finished steps (from history) and the steps open now."""
    tasks = list(db.session.scalars(select(Task).where(Task.case_id == case.id)))
    current = sorted({t.bpmn_id for t in tasks if t.status == TaskStatus.OPEN})
    done = {t.bpmn_id for t in tasks if t.status == TaskStatus.COMPLETED}
    for payload in db.session.scalars(select(CaseEvent.payload).where(CaseEvent.case_id == case.id)):
        bpmn_id = (payload or {}).get("bpmn_id")
        if isinstance(bpmn_id, str):
            done.add(bpmn_id)
    return DiagramView(_process_xml(case), sorted(done - set(current)), current)


def count_cases_by_status(actor: Actor) -> dict[str, int]:
    """How many of the cases the actor may see are in each status."""
    rows = db.session.execute(select(Case.status, func.count()).where(visible_cases(actor)).group_by(Case.status))
    return {status: count for status, count in rows}


def startable_procedures(actor: Actor) -> list[Procedure]:
    """The deployed procedures this actor's roles and kind of organisation (and, for an enterprise operator, his
    rights) may start."""
    return [p for p in list_procedures()
            if p.current_version_id is not None and granted(actor, p.key)
            and _may_start(actor, manifest_of(p.current_version_id))]


def _may_start(actor: Actor, manifest: dict[str, Any]) -> bool:
    return may_start(actor, manifest.get("start_roles") or [], manifest.get("start_organisations") or [])


def start_form_key(procedure: Procedure) -> str | None:
    """The form asked for when starting (None: the case starts with one click)."""
    if procedure.current_version_id is None:
        return None
    return (manifest_of(procedure.current_version_id).get("properties") or {}).get("startForm")
