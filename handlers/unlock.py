"""Project personnel unlock (项目人员解锁): choices, checks, the lock release and the temporary relock.

Materials per kind and the one-notice rule (一次性告知) are written down in bpmn/README.md.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.db import utcnow
from app.errors import RuleViolation
from app.models import LockRole, ProjectLock
from app.models.records.lock import LOCK_ROLE_TITLES
from app.services.handler_registry import ChoiceContext, HandlerContext
from handlers import choices, handler, validator
from handlers.rules import Timeline, changed, open_cases, timeline

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PROCEDURE = "personnel_unlock"
SUBMIT_STEPS, REVIEW_STEPS = {"submit_request"}, {"review_request"}
MAX_TEMPORARY_DAYS = 90

KINDS = {"duty_change": "履职变更解锁", "completion": "竣工验收解锁", "penalty": "行政处罚解锁",
         "temporary": "临时解锁"}
# field -> (title, kinds it belongs to; None: every kind)
MATERIALS: dict[str, tuple[str, frozenset[str] | None]] = {
    "application_files": ("解锁申请表（加盖企业公章，履职变更须另有建设、监理单位盖章）扫描件", None),
    "completion_files": ("竣工验收合格意见书", frozenset({"completion"})),
    "penalty_files": ("行政处罚决定书", frozenset({"penalty"})),
    "temporary_files": ("建设单位同意临时解锁的书面意见", frozenset({"temporary"})),
    "proof_files": ("其他证明材料", None),
}
# A duty change needs only the application form: it carries the construction and supervising units' seals.
REQUIRED = {kind: ["application_files"] + ([f"{kind}_files"] if kind != "duty_change" else []) for kind in KINDS}
# What a reviewer may list in a return (补正): the kind's materials and the stated reason.
ITEM_TITLES = {**{k: v[0] for k, v in MATERIALS.items()}, "reason": "申请理由（说明不充分）"}


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def items_for(kind: str | None) -> list[str]:
    return [k for k, (_t, kinds) in MATERIALS.items() if kinds is None or kind in kinds] + ["reason"]


def _locks(session: Any, ids: list[int]) -> list[ProjectLock]:
    return list(session.scalars(select(ProjectLock).where(ProjectLock.id.in_(ids or [])).order_by(ProjectLock.id)))


def _active_locks_of(session: Any, enterprise_id: int) -> list[ProjectLock]:
    return list(session.scalars(select(ProjectLock).where(
        ProjectLock.enterprise_id == enterprise_id, ProjectLock.active.is_(True)).order_by(ProjectLock.id)))


@choices("unlock.locked_persons")
def locked_persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The applicant enterprise's persons currently locked to a project."""
    enterprise_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    locks = _active_locks_of(ctx.session, enterprise_id)
    if ctx.case is not None:  # a resubmission may still name the locks it asked for
        locks += [lk for lk in _locks(ctx.session, ctx.case.data.get("lock_ids", [])) if lk not in locks]
    return [(lk.id, f"{lk.person.name}（{LOCK_ROLE_TITLES.get(LockRole(lk.role), lk.role)}）· {lk.project.name}")
            for lk in locks if lk.enterprise_id == enterprise_id]


def _lock_errors(ctx: HandlerContext, locks: list[ProjectLock]) -> str | None:
    if any(lk.enterprise_id != ctx.case.applicant_org_id for lk in locks):
        return "只能申请解锁本企业的锁定人员"
    if any(not lk.active for lk in locks):
        return "所选人员已解锁，无需再次申请"
    if len({lk.project_id for lk in locks}) > 1:
        return "一次申请只能选择同一项目的人员"
    ids = {lk.id for lk in locks}
    others = open_cases(ctx.session, PROCEDURE, lambda d: bool(ids & set(d.get("lock_ids") or [])), ctx.case.id)
    if others:
        return f"所选人员已有办理中的解锁申请（{others[0].number}），请勿重复申请"
    return None


def _temporary_errors(data: dict[str, Any]) -> str | None:
    end = data.get("temporary_end_date")
    if data.get("kind") != "temporary":
        return None
    if not end:
        return "临时解锁须填写截止日期"
    day = date.fromisoformat(end)
    if day <= _today():
        return "临时解锁截止日期须晚于今天"
    if day > _today() + timedelta(days=MAX_TEMPORARY_DAYS):
        return f"临时解锁期限不得超过 {MAX_TEMPORARY_DAYS} 天"
    return None


def _supplement_errors(history: Timeline, data: dict[str, Any]) -> dict[str, str]:
    """After a return (补正): every listed item must be supplied anew."""
    if not history.reviews or history.reviews[-1].data.get("decision") != "return":
        return {}
    last = history.reviews[-1]
    return {item: f"请按补正通知补充：{ITEM_TITLES.get(item, item)}"
            for item in last.data.get("missing_items") or []
            if not changed(last.snapshot.get(item), data.get(item))}


@validator("unlock.check_request")
def check_request(ctx: HandlerContext) -> dict[str, str]:
    """Server-side rules of an unlock request: locks, materials per kind, dates, the supplement."""
    errors: dict[str, str] = {}
    lock_error = _lock_errors(ctx, _locks(ctx.session, ctx.data.get("lock_ids", [])))
    if lock_error:
        errors["lock_ids"] = lock_error
    for name in REQUIRED.get(ctx.data.get("kind", ""), []):
        if not ctx.data.get(name):
            errors[name] = f"{KINDS[ctx.data['kind']]}须上传{MATERIALS[name][0]}"
    temporary = _temporary_errors(ctx.data)
    if temporary:
        errors["temporary_end_date"] = temporary
    history = timeline(ctx.session, ctx.case.id, SUBMIT_STEPS, REVIEW_STEPS)
    for name, message in _supplement_errors(history, ctx.data).items():
        errors.setdefault(name, message)
    return errors


def one_notice_violations(history: Timeline, listed: list[str]) -> list[str]:
    """Items a later return may not ask for: present unchanged at the previous return, yet not listed then."""
    earlier = [r for r in history.reviews if r.data.get("decision") == "return"]
    if not earlier:
        return []
    asked_before = {item for r in earlier for item in r.data.get("missing_items") or []}
    snapshot = earlier[-1].snapshot
    return [item for item in listed
            if item not in asked_before and not changed(snapshot.get(item), history.current.get(item))]


@validator("unlock.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    """A review: approval needs the locks still in force; a return lists applicable items, once."""
    decision = ctx.data.get("decision")
    if decision == "approve":
        locks = _locks(ctx.session, ctx.case.data.get("lock_ids", []))
        if not locks or any(not lk.active for lk in locks):
            return {"decision": "申请中的人员已不处于锁定状态，不能批准，请退回或不予解锁"}
        return {}
    if decision != "return":
        return {}
    listed = list(ctx.data.get("missing_items") or [])
    allowed = items_for(ctx.case.data.get("kind"))
    wrong = [ITEM_TITLES.get(i, i) for i in listed if i not in allowed]
    if wrong:
        kind = KINDS.get(ctx.case.data.get("kind", ""), "该")
        return {"missing_items": f"以下材料不适用于{kind}申请：{'、'.join(wrong)}"}
    history = timeline(ctx.session, ctx.case.id, SUBMIT_STEPS, REVIEW_STEPS)
    late = one_notice_violations(history, listed)
    if late:
        titles = "、".join(ITEM_TITLES.get(i, i) for i in late)
        return {"missing_items": f"按一次性告知规定，{titles}在上次退回补正时已提交且未列入补正清单，不得再次要求补正"}
    return {}


@handler("unlock.bind_case")
def bind_case(ctx: HandlerContext, lock_ids: list[int]) -> dict[str, Any]:
    """Route the case to the project's authority and name it after the persons and the project."""
    locks = _locks(ctx.session, lock_ids)
    if not locks:
        raise ValueError("申请中没有有效的锁定人员")
    project = locks[0].project
    ctx.case.region_code = project.region_code
    names = "、".join(lk.person.name for lk in locks)
    ctx.case.title = f"项目人员解锁：{names}（{project.name}）"
    return {"project_id": project.id, "project_name": project.name, "region_code": project.region_code}


def _set_state(ctx: HandlerContext, state: str, title: str) -> None:
    ctx.case.data = {**(ctx.case.data or {}), "unlock_state": state, "unlock_state_title": title}


@handler("unlock.release_locks")
def release_locks(ctx: HandlerContext, lock_ids: list[int], kind: str,
                  temporary_end_date: str | None = None) -> dict[str, Any]:
    """Release the approved locks; a temporary unlock records when the lock returns."""
    relock_at = None
    if kind == "temporary" and temporary_end_date:
        relock_at = datetime.combine(date.fromisoformat(temporary_end_date), time(23, 59, 59), tzinfo=LOCAL_TZ)
    released = []
    for lock in _locks(ctx.session, lock_ids):
        if lock.enterprise_id != ctx.case.applicant_org_id:
            raise ValueError(f"锁定记录 {lock.id} 不属于申请企业")
        lock.active, lock.released_at = False, utcnow()
        lock.relock_at, lock.released_by_case_id = relock_at, ctx.case.id
        released.append(lock.id)
    if relock_at is not None:
        _set_state(ctx, "temporarily_unlocked", f"临时解锁中（{temporary_end_date} 期满后自动恢复锁定）")
    else:
        _set_state(ctx, "unlocked", "已解锁")
    return {"released": released}


@handler("unlock.restore_locks")
def restore_locks(ctx: HandlerContext, lock_ids: list[int]) -> dict[str, Any]:
    """The temporary unlock ended: the locks this case released return."""
    restored = []
    for lock in _locks(ctx.session, lock_ids):
        if lock.released_by_case_id == ctx.case.id and not lock.active and lock.relock_at is not None:
            lock.active, lock.relock_at, lock.locked_at = True, None, utcnow()
            restored.append(lock.id)
    _set_state(ctx, "relocked", "临时解锁期满，已恢复锁定")
    return {"restored": restored}


@handler("unlock.check_withdraw")
def check_withdraw(ctx: HandlerContext) -> dict[str, Any]:
    """A temporary unlock cannot be withdrawn to escape the relock."""
    pending = [lk for lk in _locks(ctx.session, ctx.case.data.get("lock_ids", []))
               if lk.released_by_case_id == ctx.case.id and not lk.active and lk.relock_at is not None]
    if pending:
        until = pending[0].relock_at.astimezone(LOCAL_TZ).date().isoformat() if pending[0].relock_at else ""
        raise RuleViolation(f"临时解锁期间不能撤回办件，锁定将于 {until} 期满后自动恢复",
                            code="withdraw_during_temporary_unlock")
    return {}
