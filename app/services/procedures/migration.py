"""Move running cases of a procedure from one version to another (analysts and admins; the CLI).

A dry run answers for every open case on the source version whether it can move and why not; the move
itself goes case by case through the step pipeline (steps.Migrate), each in a savepoint: a case that cannot
move stays exactly as it was, the others move. A moved case has a `case_migrated` event in its history and a
`case_migrated` row in the procedure's change log.

A case cannot move when its current step (or a step it already went through, or a process it called) has
no counterpart in the target (`mapping` {old bpmn id: new bpmn id} names renamed steps), when the target's
conditions or scripts read a field that the target added to a form the case has already filled (its data
lacks it), or when its saved state does not load. A case in 异常 because of a broken version moves like any
other and stays in error; an admin's retry (cases.retry_case) then runs the failed step on the new version.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.db import attempt
from app.engine import names_read_by
from app.errors import DomainError, Message, MigrationRefused, RuleViolation
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Actor,
    Case,
    Procedure,
    ProcedureChangeKind,
    ProcedureVersion,
    Task,
    TaskStatus,
)
from app.policy import require_procedure_analyst
from app.services import steps
from app.services.procedures.deploy import CLI, get_procedure, get_version, record_change
from app.services.procedures.versions import derived, files_of, form_of, manifest_of

MAX_CASE_IDS = 1000


@dataclass(frozen=True)
class MigrationResult:
    """`reason` (the API's) is the Chinese text of `reasons`, whose errors.Message items the pages show in the
    reader's language."""

    case_id: int
    can_migrate: bool
    migrated: bool
    reason: str | None = None
    reasons: tuple[str, ...] = ()
    case_number: str | None = None  # None for an id that names no open case of the version


def _refused(case_id: int, reasons: list[str], reason: str | None = None) -> MigrationResult:
    return MigrationResult(case_id, False, False, reason or "；".join(reasons), tuple(reasons))


def _form_fields(version_id: int, form_key: str | None) -> set[str]:
    if not form_key or f"forms/{form_key}.json" not in files_of(version_id):
        return set()
    return set(form_of(version_id, form_key).get("properties") or {})


def _done_forms(case: Case, target_id: int, mapping: dict[str, str]) -> list[tuple[str | None, str | None]]:
    """(source form, target form) of the case's start form and of each step it has completed."""
    source, target = manifest_of(case.procedure_version_id), manifest_of(target_id)
    done = set(db.session.scalars(select(Task.bpmn_id).where(Task.case_id == case.id,
                                                             Task.status == TaskStatus.COMPLETED)))
    pairs = [((source.get("properties") or {}).get("startForm"), (target.get("properties") or {}).get("startForm"))]
    for bpmn_id in sorted(done):
        pairs.append(((source["tasks"].get(bpmn_id) or {}).get("form_key"),
                      (target["tasks"].get(mapping.get(bpmn_id, bpmn_id)) or {}).get("form_key")))
    return pairs


def data_problems(case: Case, version_id: int, mapping: dict[str, str]) -> list[str]:
    """Fields the target version reads that it added to a form the case has already filled: its data lacks
    them, and the step reading them would fail."""
    reads = derived(version_id, "names_read", lambda: names_read_by(files_of(version_id)))
    data = set(case.data or {})
    problems: list[str] = []
    for old_form, new_form in _done_forms(case, version_id, mapping):
        added = _form_fields(version_id, new_form) - _form_fields(case.procedure_version_id, old_form)
        for name in sorted((added & reads) - data):
            problems.append(Message("目标版本读取字段“{name}”（表单 {form} 新增），而本办件已填写过该表单，"
                                    "数据中没有此字段", name=name, form=new_form))
    return problems


def _cases(source: ProcedureVersion, case_ids: list[int] | None) -> list[Case]:
    query = select(Case).where(Case.procedure_version_id == source.id, Case.status.in_(OPEN_STATUSES))
    if case_ids is not None:
        query = query.where(Case.id.in_(case_ids))
    return list(db.session.scalars(query.options(*steps.step_loading()).order_by(Case.id)))


def _move(actor: Actor | None, procedure: Procedure, case: Case, source: ProcedureVersion, target: ProcedureVersion,
          mapping: dict[str, str]) -> MigrationResult:
    try:
        with attempt(db.session()):
            steps.advance(case, actor, steps.Migrate(target.id, mapping))
            record_change(procedure, ProcedureChangeKind.CASE_MIGRATED, target, source.id,
                          actor.username if actor else CLI, case.number, case_id=case.id, actor=actor)
            db.session.flush()
    except MigrationRefused as exc:  # refused: the savepoint undid whatever the step began
        return _refused(case.id, exc.reasons, exc.message)
    except DomainError as exc:
        return _refused(case.id, [exc.message])
    except StaleDataError:
        return _refused(case.id, [Message("办件正在被他人办理，请稍后重试")])
    return MigrationResult(case.id, True, True)


def _one(actor: Actor | None, procedure: Procedure, case: Case, source: ProcedureVersion,
         target: ProcedureVersion, mapping: dict[str, str], dry_run: bool) -> MigrationResult:
    reasons = data_problems(case, target.id, mapping)
    if not reasons and dry_run:
        reasons = steps.migration_problems(case, target.id, mapping)
    if reasons:
        return _refused(case.id, reasons)
    if dry_run:
        return MigrationResult(case.id, True, False)
    return _move(actor, procedure, case, source, target, mapping)


def migrate_cases(actor: Actor | None, key: str, from_version: int, to_version: int,
                  case_ids: list[int] | None = None, mapping: dict[str, str] | None = None,
                  dry_run: bool = False) -> list[MigrationResult]:
    """For each open case on `from_version` (or those of `case_ids`): can it move to `to_version`, and (not a
    dry run) did it. A case id that names no open case on the source version is answered as such."""
    if actor is not None:
        require_procedure_analyst(actor)
    procedure = get_procedure(key)
    source, target = get_version(procedure, from_version), get_version(procedure, to_version)
    if source.id == target.id:
        raise RuleViolation("源版本与目标版本相同，无需迁移", code="same_version")
    if case_ids is not None and len(case_ids) > MAX_CASE_IDS:
        raise RuleViolation(Message("一次最多迁移 {limit} 个办件", limit=MAX_CASE_IDS), code="too_many_cases")
    cases = _cases(source, case_ids)
    results = []
    for case in cases:
        number = case.number  # read first: a refused move's savepoint rollback expires the case
        results.append(replace(_one(actor, procedure, case, source, target, dict(mapping or {}), dry_run),
                               case_number=number))
    found = {case.id for case in cases}
    results += [_refused(case_id, [Message("该办件不是版本 {n} 上办理中的办件", n=from_version)])
                for case_id in sorted(set(case_ids or []) - found)]
    return results
