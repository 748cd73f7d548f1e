"""Rows written straight into cases and tasks (no engine), with explicit deadline facts, for read-side tests."""
from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.db import utcnow
from app.extensions import db
from app.models import Case, CaseStatus, Organisation, Procedure, ProcedureVersion, Task, TaskStatus, User

CHINA = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def local(text: str) -> datetime:
    """'2026-11-02 10:00' China time -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA).astimezone(UTC)


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))  # type: ignore[return-value]


def procedure_version(key: str, name: str | None = None) -> ProcedureVersion:
    """The latest version of a procedure; a bare one (no diagram) when the key was never deployed."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.key == key))
    if procedure is not None and procedure.current_version is not None:
        return procedure.current_version
    procedure = Procedure(key=key, name=name or key)
    db.session.add(procedure)
    db.session.flush()
    version = ProcedureVersion(procedure_id=procedure.id, version=1, name=procedure.name, content_hash=key,
                               files={}, manifest={}, lib_version="test", deployed_by="factory")
    db.session.add(version)
    db.session.flush()
    procedure.current_version_id = version.id
    db.session.flush()
    return version


def make_case(procedure: str = "personnel_unlock", region: str = "450100", status: str = CaseStatus.RUNNING,
              **fields: Any) -> Case:
    """A case row; pass created_at / completed_at / due_at / deadline_state ... as aware datetimes.

    The case was received (submitted) when it was created unless received_at says otherwise
    (received_at=None: a draft the applicant never submitted)."""
    version = procedure_version(procedure, fields.pop("procedure_name", None))
    fields.setdefault("created_at", utcnow())
    fields.setdefault("received_at", fields["created_at"])
    fields.setdefault("finished_at", fields.get("completed_at"))  # as completion sets it where nothing was decided
    applicant = db.session.scalar(select(Organisation).where(Organisation.kind == "enterprise")
                                  .order_by(Organisation.id))
    assert applicant is not None, "seed the demo data first"
    number = next(_numbers)
    values: dict[str, Any] = {
        "number": f"TS-2026-{number:06d}-{uuid.uuid4().hex[:6]}", "procedure_key": procedure,
        "procedure_version_id": version.id, "status": status, "title": f"测试办件 {number}",
        "applicant_org_id": applicant.id, "started_by_id": user_id("ent-nanning"), "region_code": region,
        "data": {}, **fields}
    case = Case(**values)
    db.session.add(case)
    db.session.flush()
    return case


def make_task(case: Case, bpmn_id: str = "review_request", title: str = "审核解锁申请",
              status: str = TaskStatus.OPEN, region: str | None = "__case__", role: str = "city_reviewer",
              assignee: str | None = None, completed_by: str | None = None, **fields: Any) -> Task:
    """A task row of `case`; region defaults to the case's, None makes it an applicant task."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()), "case_id": case.id, "bpmn_id": bpmn_id, "title": title, "role": role,
        "scope": "case_city" if region is not None else "applicant",
        "region_code": case.region_code if region == "__case__" else region, "form_key": "unlock_review",
        "status": status, "assignee_id": user_id(assignee) if assignee else None,
        "completed_by_id": user_id(completed_by) if completed_by else None, "properties": {}, **fields}
    task = Task(**values)
    db.session.add(task)
    db.session.flush()
    return task


def hours_later(start: datetime, hours: float) -> datetime:
    return start + timedelta(hours=hours)


# -- a small hand-built world for the SLA dashboard -------------------------------------------------------
# "Now" is Friday 2026-11-27 10:00 China time; the period is 2026-11-01 .. 2026-11-27.
SLA_NOW = local("2026-11-27 10:00")


def _done_case(procedure: str, region: str, created: str, completed: str, state: str | None) -> Case:
    return make_case(procedure, region, CaseStatus.COMPLETED, created_at=local(created),
                     completed_at=local(completed), deadline_state=state, procedure_name=(
                         "项目数据升级" if procedure == "project_upgrade" else None))


def _done_task(case: Case, created: str, completed: str, state: str, by: str, **fields: Any) -> Task:
    return make_task(case, status=TaskStatus.COMPLETED, created_at=local(created), completed_at=local(completed),
                     deadline_state=state, assignee=by, completed_by=by, **fields)


NOVEMBER_QUERY = "first=2026-11-01&last=2026-11-27"  # the world's reporting period, as a query string


def build_sla_world() -> dict[str, Any]:
    """Six cases completed in November, one in October, six open (two overdue), their steps; ids by name."""
    c1 = _done_case("personnel_unlock", "450100", "2026-11-02 10:00", "2026-11-04 10:00", "completed_on_time")
    c2 = _done_case("personnel_unlock", "450102", "2026-11-03 10:00", "2026-11-04 16:00", "completed_on_time")
    c3 = _done_case("personnel_unlock", "450100", "2026-11-05 10:00", "2026-11-12 10:00", "completed_late")
    c4 = _done_case("personnel_unlock", "450200", "2026-11-10 10:00", "2026-11-11 10:00", "completed_on_time")
    c5 = _done_case("personnel_unlock", "450200", "2026-11-10 10:00", "2026-11-10 22:00", None)
    c6 = _done_case("project_upgrade", "450100", "2026-11-16 10:00", "2026-11-20 10:00", "completed_late")
    c7 = _done_case("personnel_unlock", "450100", "2026-10-01 10:00", "2026-10-20 10:00", "completed_on_time")
    make_task(c1, "submit_request", "填写解锁申请", TaskStatus.COMPLETED, region=None, role="enterprise",
              created_at=local("2026-11-02 10:00"), completed_at=local("2026-11-02 12:00"),
              deadline_state="completed_late", completed_by="ent-nanning")
    _done_task(c1, "2026-11-02 12:00", "2026-11-04 10:00", "completed_on_time", "city-nanning",
               warn_at=local("2026-11-04 08:00"))
    _done_task(c2, "2026-11-03 12:00", "2026-11-04 16:00", "completed_on_time", "city-nanning",
               warn_at=local("2026-11-05 08:00"))
    _done_task(c3, "2026-11-05 12:00", "2026-11-12 10:00", "completed_late", "city-nanning")
    _done_task(c4, "2026-11-10 12:00", "2026-11-11 10:00", "completed_on_time", "city-liuzhou")
    _done_task(c6, "2026-11-16 10:00", "2026-11-20 10:00", "completed_late", "city-nanning",
               bpmn_id="city_review", title="市级审核")
    _done_task(c7, "2026-10-01 12:00", "2026-10-20 10:00", "completed_on_time", "city-nanning")
    opened = _open_world()
    return {"c1": c1.id, "c2": c2.id, "c3": c3.id, "c4": c4.id, "c5": c5.id, "c6": c6.id, "c7": c7.id, **opened}


def _open_world() -> dict[str, Any]:
    late_due, late_statutory = SLA_NOW - timedelta(days=2, hours=3), SLA_NOW + timedelta(days=5)
    o1 = make_case(region="450100", created_at=local("2026-11-23 06:00"), deadline_state="on_time")
    o2 = make_case(region="450102", created_at=local("2026-11-24 10:00"), deadline_state="warning")
    o3 = make_case(region="450100", created_at=local("2026-11-20 10:00"), deadline_state="overdue",
                   due_at=late_due, statutory_due_at=late_statutory, current_step="审核解锁申请")
    o4 = make_case(region="450200", status=CaseStatus.WAITING_FOR_APPLICANT, created_at=local("2026-11-24 10:00"),
                   deadline_state="paused")
    o5 = make_case(region="450200", created_at=local("2026-11-24 10:00"), deadline_state="overdue",
                   due_at=SLA_NOW - timedelta(hours=1), statutory_due_at=SLA_NOW - timedelta(minutes=30))
    o6 = make_case(region="450100", created_at=local("2026-11-24 10:00"))
    make_case(region="450100", status=CaseStatus.WITHDRAWN, created_at=local("2026-11-24 10:00"))
    made = {"u1": make_task(o1, assignee="city-nanning", deadline_state="on_time",
                            created_at=local("2026-11-23 07:00")),
            "u2": make_task(o2, deadline_state="warning", created_at=local("2026-11-24 11:00")),
            # The statutory limit (法定时限) is the case's: the app never writes one on a task.
            "u3": make_task(o3, assignee="city-nanning", deadline_state="overdue", due_at=late_due,
                            created_at=local("2026-11-20 11:00")),
            "u5": make_task(o5, deadline_state="overdue", due_at=SLA_NOW - timedelta(hours=1),
                            created_at=local("2026-11-24 11:00")),
            "u6": make_task(o6, assignee="city-nanning", created_at=local("2026-11-24 11:00"))}
    make_task(o4, "submit_request", "填写解锁申请", region=None, role="enterprise", deadline_state="paused")
    ids: dict[str, Any] = {k: t.id for k, t in made.items()}
    return ids | {"o1": o1.id, "o2": o2.id, "o3": o3.id, "o4": o4.id, "o5": o5.id, "o6": o6.id}
