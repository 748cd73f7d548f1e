"""Project personnel unlock (项目人员解锁): choices, checks and the lock release."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.db import utcnow
from app.models import LockRole, ProjectLock
from app.models.records.lock import LOCK_ROLE_TITLES
from app.services.handler_registry import ChoiceContext, HandlerContext
from handlers import choices, handler, validator

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _active_locks_of(session: Any, enterprise_id: int) -> list[ProjectLock]:
    return list(session.scalars(select(ProjectLock).where(
        ProjectLock.enterprise_id == enterprise_id, ProjectLock.active.is_(True)).order_by(ProjectLock.id)))


@choices("unlock.locked_persons")
def locked_persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The applicant enterprise's persons currently locked to a project."""
    enterprise_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    locks = _active_locks_of(ctx.session, enterprise_id)
    if ctx.case is not None:  # a resubmission may still name the locks it asked for
        locks += [lk for lk in ctx.session.scalars(select(ProjectLock).where(
            ProjectLock.id.in_(ctx.case.data.get("lock_ids", [])))) if lk not in locks]
    return [(lk.id, f"{lk.person.name}（{LOCK_ROLE_TITLES.get(LockRole(lk.role), lk.role)}）· {lk.project.name}")
            for lk in locks if lk.enterprise_id == enterprise_id]


@validator("unlock.check_request")
def check_request(ctx: HandlerContext) -> dict[str, str]:
    """Server-side rules of an unlock request beyond the form's schema."""
    locks = list(ctx.session.scalars(select(ProjectLock).where(ProjectLock.id.in_(ctx.data.get("lock_ids", [])))))
    errors: dict[str, str] = {}
    if any(not lk.active for lk in locks):
        errors["lock_ids"] = "所选人员已解锁，无需再次申请"
    if len({lk.project_id for lk in locks}) > 1:
        errors["lock_ids"] = "一次申请只能选择同一项目的人员"
    end = ctx.data.get("temporary_end_date")
    if ctx.data.get("kind") == "temporary" and end and date.fromisoformat(end) <= utcnow().astimezone(LOCAL_TZ).date():
        errors["temporary_end_date"] = "临时解锁截止日期须晚于今天"
    return errors


@handler("unlock.bind_case")
def bind_case(ctx: HandlerContext, lock_ids: list[int]) -> dict[str, Any]:
    """Route the case to the project's authority and name it after the persons and the project."""
    locks = list(ctx.session.scalars(select(ProjectLock).where(ProjectLock.id.in_(lock_ids))))
    if not locks:
        raise ValueError("申请中没有有效的锁定人员")
    project = locks[0].project
    ctx.case.region_code = project.region_code
    names = "、".join(lk.person.name for lk in locks)
    ctx.case.title = f"项目人员解锁：{names}（{project.name}）"
    return {"project_id": project.id, "project_name": project.name, "region_code": project.region_code}


@handler("unlock.release_locks")
def release_locks(ctx: HandlerContext, lock_ids: list[int], kind: str,
                  temporary_end_date: str | None = None) -> dict[str, Any]:
    """Release the approved locks; a temporary unlock records when the lock returns."""
    relock_at = None
    if kind == "temporary" and temporary_end_date:
        relock_at = datetime.combine(date.fromisoformat(temporary_end_date), time(23, 59, 59), tzinfo=LOCAL_TZ)
    released = []
    for lock in ctx.session.scalars(select(ProjectLock).where(ProjectLock.id.in_(lock_ids))):
        if lock.enterprise_id != ctx.case.applicant_org_id:
            raise ValueError(f"锁定记录 {lock.id} 不属于申请企业")
        lock.active, lock.released_at = False, utcnow()
        lock.relock_at, lock.released_by_case_id = relock_at, ctx.case.id
        released.append(lock.id)
    return {"released": released}
