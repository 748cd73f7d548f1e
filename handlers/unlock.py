"""Project personnel unlock (项目人员解锁): choices, checks, the lock release and the temporary relock.

Materials per kind and the one-notice rule (一次性告知) are written down in bpmn/README.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from app.db import utcnow
from app.errors import Listed, Message, RuleViolation
from app.models import Case, LockRole, Person, Project, ProjectLock
from app.models.records.lock import LOCK_ROLE_TITLES
from app.services import audit
from app.services.cases import subjects
from app.services.exchange.outbound import ProjectPersonnel, project_personnel, queue_project_personnel
from app.services.procedures.registry import ChoiceContext, HandlerContext
from handlers import choices, handler, validator
from handlers.rules import FieldRefusal, Review, Timeline, changed, timeline

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PROCEDURE = "personnel_unlock"
DUPLICATE = "所选人员已有办理中的解锁申请（{number}），请勿重复申请"
# The case's title, stored in Chinese (the English pages read it by this template: app/web/stored_texts.py).
TITLE = "项目人员解锁：{names}（{project}）"
# A case's 异常 when the handler finds the data changed since the form was checked (a ValueError: the step fails)
NOT_THE_APPLICANTS_LOCK = "锁定记录 {lock} 不属于申请企业"
TEMPORARILY_RELEASED_ALREADY = "锁定记录 {lock} 正处于临时解锁期，不能再次临时解锁"
# The state the case data names (`unlock_state_title`, stored in Chinese) beside 已解锁 and 临时解锁期满，已恢复锁定.
TEMPORARILY_UNLOCKED = "临时解锁中（{end} 期满后自动恢复锁定）"
UNLOCKED_ENDING_TEMPORARY = "已解锁（原临时解锁 {numbers} 期满后不再恢复锁定）"
SUPERSEDED = "临时解锁期间已办理正式解锁（{numbers}），不再恢复锁定"
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
# What a reviewer may list in a return (补正) or a materials rejection: the kind's materials and the stated reason.
ITEM_TITLES = {**{k: v[0] for k, v in MATERIALS.items()}, "reason": "申请理由（说明不充分）"}
# Grounds of a rejection (不予解锁依据): only a materials ground is bound by the one-notice rule's list.
MATERIALS_GROUND = "materials_deficient"


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def items_for(kind: str | None) -> list[str]:
    return [k for k, (_t, kinds) in MATERIALS.items() if kinds is None or kind in kinds] + ["reason"]


def _ids(ids: list[int] | None) -> list[int]:
    return sorted({int(i) for i in ids or []})


def _locks(ids: list[int]) -> tuple[list[ProjectLock], ProjectPersonnel | None]:
    """The locks of these ids to change (by id), and the personnel of the first one's project that the approval
    system is told of once they changed: one statement reads both (the locks are among the personnel's)."""
    wanted = _ids(ids)
    projects = project_personnel(wanted)
    found = set(wanted)
    locks = sorted((lock for read in projects.values() for lock, *_ in read.personnel if lock.id in found),
                   key=lambda lock: lock.id)
    return locks, projects[locks[0].project_id] if locks else None


@dataclass(frozen=True)
class LockFacts:
    """What the checks of a form read of a lock: its columns and its person's name, without the ORM rows (a
    validator's rows would be dropped when it returns, and the handler that changes them loads them again)."""

    id: int
    enterprise_id: int
    project_id: int
    active: bool
    relock_at: datetime | None
    released_by_case_id: int | None
    person_name: str


_LOCK_FACTS = (select(ProjectLock.id, ProjectLock.enterprise_id, ProjectLock.project_id, ProjectLock.active,
                      ProjectLock.relock_at, ProjectLock.released_by_case_id, Person.name)
               .join(Person, Person.id == ProjectLock.person_id)
               .where(ProjectLock.id.in_(bindparam("ids", expanding=True))).order_by(ProjectLock.id))


def _lock_facts(session: Any, ids: list[int]) -> list[LockFacts]:
    """The locks of these ids, in one query."""
    wanted = _ids(ids)
    return [LockFacts(*row) for row in session.execute(_LOCK_FACTS, {"ids": wanted})] if wanted else []


def temporarily_released(lock: ProjectLock | LockFacts) -> bool:
    """Released by an approved temporary unlock whose timer will restore it."""
    return not lock.active and lock.relock_at is not None


def _bound(lock: ProjectLock | LockFacts) -> bool:
    return lock.active or temporarily_released(lock)


def _relock_day(lock: LockFacts) -> str:
    return lock.relock_at.astimezone(LOCAL_TZ).date().isoformat() if lock.relock_at else ""


def _case_number(session: Any, case_id: int | None) -> str:
    case = session.get(Case, case_id) if case_id else None
    return case.number if case is not None else "—"


# Built once (a statement built per request costs more CPU than its execution).
_LOCKED_PERSONS = (
    select(ProjectLock.id, ProjectLock.role, ProjectLock.active, ProjectLock.relock_at, Person.name,
           Project.name.label("project"))
    .join(Person, Person.id == ProjectLock.person_id).join(Project, Project.id == ProjectLock.project_id)
    .where(ProjectLock.enterprise_id == bindparam("enterprise"),
           ProjectLock.active.is_(True) | ProjectLock.relock_at.is_not(None)
           | ProjectLock.id.in_(bindparam("named", expanding=True)))
    .order_by(ProjectLock.id))


@choices("unlock.locked_persons")
def locked_persons(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The applicant enterprise's persons bound to a project (a temporarily released one says until when),
    and those a resubmission still names; one query of the columns the titles need."""
    enterprise_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    named = [int(i) for i in (ctx.case.data.get("lock_ids") or [])] if ctx.case is not None else []
    rows = ctx.session.execute(_LOCKED_PERSONS, {"enterprise": enterprise_id, "named": named})

    def title(row: Any) -> Message:  # a message: the English pages name the role and the state in English
        role = Message(LOCK_ROLE_TITLES.get(LockRole(row.role), row.role))
        if not row.active and row.relock_at is not None:
            return Message("{name}（{role}）· {project}（临时解锁中，{until} 期满恢复锁定）", name=row.name, role=role,
                           project=row.project, until=row.relock_at.astimezone(LOCAL_TZ).date().isoformat())
        return Message("{name}（{role}）· {project}", name=row.name, role=role, project=row.project)
    return [(row.id, title(row)) for row in rows]


@choices("unlock.review_items")
def review_items(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """What a review may list for 补正 or as deficient: the materials of the case's kind and the reason."""
    kind = (ctx.case.data or {}).get("kind") if ctx.case is not None else None
    return [(item, ITEM_TITLES[item]) for item in (items_for(kind) if kind else ITEM_TITLES)]


def _holds_in_temporary_release(case: Case, locks: list[LockFacts]) -> bool:
    """Is the other case only waiting for its temporary unlock of these locks to end (not an application)?"""
    ids = set(case.data.get("lock_ids") or [])
    shared = [lk for lk in locks if lk.id in ids]
    return bool(shared) and all(temporarily_released(lk) and lk.released_by_case_id == case.id for lk in shared)


def _lock_errors(ctx: HandlerContext, locks: list[LockFacts], kind: str | None) -> str | None:
    """A field error of the chosen locks (whose enterprise, bound, one project, not in a temporary unlock)."""
    if any(lk.enterprise_id != ctx.case.applicant_org_id for lk in locks):
        return "只能申请解锁本企业的锁定人员"
    if any(not _bound(lk) for lk in locks):
        return "所选人员已解锁，无需再次申请"
    if len({lk.project_id for lk in locks}) > 1:
        return "一次申请只能选择同一项目的人员"
    released = [lk for lk in locks if temporarily_released(lk) and lk.released_by_case_id != ctx.case.id]
    if kind == "temporary" and released:
        lock = released[0]
        return Message("{name}正处于临时解锁期（{number}，{day} 期满恢复锁定），不能再次申请临时解锁；"
                       "可申请履职变更、竣工验收或行政处罚解锁", name=lock.person_name,
                       number=_case_number(ctx.session, lock.released_by_case_id), day=_relock_day(lock))
    return None


def _claims(ctx: HandlerContext, locks: list[LockFacts]) -> subjects.Claims:
    """The claims on the locks (this case's and others', read once for the check and the claim); another open
    application for them is refused (duplicate_open_case)."""
    found = subjects.claims(ctx.case, PROCEDURE, _lock_subjects(locks))
    other = found.holder()
    if other is not None and not _holds_in_temporary_release(other, locks):
        raise FieldRefusal("lock_ids", Message(DUPLICATE, number=other.number),
                           code="duplicate_open_case", details={"case_number": other.number})
    return found


def _lock_subjects(locks: list[LockFacts]) -> list[str]:
    return [f"lock:{lk.id}" for lk in locks]


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
        return Message("临时解锁期限不得超过 {n} 天", n=MAX_TEMPORARY_DAYS)
    return None


def _supplement_errors(history: Timeline, data: dict[str, Any]) -> dict[str, str]:
    """After a return (补正): every listed item must be supplied anew."""
    if not history.reviews or history.reviews[-1].data.get("decision") != "return":
        return {}
    last = history.reviews[-1]
    return {item: Message("请按补正通知补充：{item}", item=Message(ITEM_TITLES.get(item, item)))
            for item in last.data.get("missing_items") or []
            if not changed(last.snapshot.get(item), data.get(item))}


@validator("unlock.check_request")
def check_request(ctx: HandlerContext) -> dict[str, str]:
    """Server-side rules of an unlock request: locks, materials per kind, dates, the supplement."""
    errors: dict[str, str] = {}
    locks = _lock_facts(ctx.session, ctx.data.get("lock_ids", []))
    lock_error = _lock_errors(ctx, locks, ctx.data.get("kind"))
    claims = _claims(ctx, locks) if lock_error is None else None
    if lock_error:
        errors["lock_ids"] = lock_error
    for name in REQUIRED.get(ctx.data.get("kind", ""), []):
        if name == "completion_files" and (ctx.case.data or {}).get("completion_acceptance"):
            continue  # the supervision system reported the acceptance (data exchange): no upload needed
        if not ctx.data.get(name):
            errors[name] = Message("{kind}须上传{material}", kind=Message(KINDS[ctx.data["kind"]]),
                                   material=Message(MATERIALS[name][0]))
    temporary = _temporary_errors(ctx.data)
    if temporary:
        errors["temporary_end_date"] = temporary
    history = timeline(ctx.session, ctx.case.id, SUBMIT_STEPS, REVIEW_STEPS)
    for name, message in _supplement_errors(history, ctx.data).items():
        errors.setdefault(name, message)
    if not errors:  # the case now applies for these locks: a second open application for them is refused
        subjects.claim(ctx.case, PROCEDURE, _lock_subjects(locks), DUPLICATE, claims)
    return errors


def notice_items(review: Review) -> list[str] | None:
    """What a review told the applicant to supply or correct (一次性告知): a return's missing items, or a
    rejection's deficient materials when its ground is the materials; None for any other review."""
    data = review.data
    if data.get("decision") == "return":
        return list(data.get("missing_items") or [])
    if data.get("decision") == "reject" and data.get("reject_ground") == MATERIALS_GROUND:
        return list(data.get("deficient_materials") or [])
    return None


def _notices(history: Timeline) -> list[Review]:
    return [r for r in history.reviews if notice_items(r) is not None]


def one_notice_violations(history: Timeline, listed: list[str]) -> list[str]:
    """Items a later notice may not name: present unchanged at the previous notice, yet not named by any."""
    earlier = _notices(history)
    if not earlier:
        return []
    asked_before = {item for r in earlier for item in notice_items(r) or []}
    snapshot = earlier[-1].snapshot
    return [item for item in listed
            if item not in asked_before and not changed(snapshot.get(item), history.current.get(item))]


def _not_applicable(kind: str | None, listed: list[str]) -> str | None:
    wrong = [ITEM_TITLES.get(i, i) for i in listed if i not in items_for(kind)]
    if not wrong:
        return None
    if kind in KINDS:
        return Message("以下材料不适用于{kind}申请：{items}", kind=Message(KINDS[kind]), items=Listed(wrong))
    return Message("以下材料不适用于该申请：{items}", items=Listed(wrong))


def _refuse_late_items(history: Timeline, listed: list[str], field_name: str, then: str) -> None:
    """The one-notice rule (一次性告知): refuse a notice naming what the applicant should have heard of before."""
    late = one_notice_violations(history, listed)
    if not late:
        return
    last = _notices(history)[-1]
    before = "上次退回补正时已提交且未列入补正清单" if last.data.get("decision") == "return" else \
        "上次以材料不符合要求不予解锁时已提交且未被列明"
    raise FieldRefusal(field_name, Message("按一次性告知规定，{items}在{before}，{then}", before=Message(before),
                                           items=Listed(ITEM_TITLES.get(i, i) for i in late), then=Message(then)),
                       code="one_notice_violation", details={"items": late})


def _approval_errors(ctx: HandlerContext) -> dict[str, str]:
    """Approval needs every lock still bound to the project and, for a temporary unlock, an end date ahead."""
    locks = _lock_facts(ctx.session, ctx.case.data.get("lock_ids", []))
    if not locks or any(not _bound(lk) for lk in locks):
        return {"decision": "申请中的人员已不处于锁定状态，不能批准，请退回或不予解锁"}
    end = ctx.case.data.get("temporary_end_date")
    if ctx.case.data.get("kind") == "temporary" and end and date.fromisoformat(end) <= _today():
        return {"decision": Message("临时解锁截止日期（{end}）已到，批准后将立即恢复锁定，不能批准；"
                                    "请不予解锁，由企业修改截止日期后重新提交", end=end)}
    return {}


def _rejection_errors(ctx: HandlerContext, history: Timeline) -> dict[str, str]:
    """A rejection states its ground (the form requires it); a materials ground names the deficient
    materials, and after a notice only those it named or those changed since (一次性告知)."""
    ground = ctx.data.get("reject_ground")
    listed = list(ctx.data.get("deficient_materials") or [])
    if not ground:
        return {}
    if ground != MATERIALS_GROUND:
        return {"deficient_materials": "不予解锁依据为“不符合解锁条件”时，不列出材料"} if listed else {}
    wrong = _not_applicable(ctx.case.data.get("kind"), listed)
    if wrong:
        return {"deficient_materials": wrong}
    _refuse_late_items(history, listed, "deficient_materials", "不得以此为由不予解锁")
    return {}


@validator("unlock.check_review")
def check_review(ctx: HandlerContext) -> dict[str, str]:
    """A review: approval needs the locks still bound; a return or a materials rejection names applicable
    items, once (一次性告知)."""
    decision = ctx.data.get("decision")
    if decision == "approve":
        return _approval_errors(ctx)
    history = timeline(ctx.session, ctx.case.id, SUBMIT_STEPS, REVIEW_STEPS)
    if decision == "reject":
        return _rejection_errors(ctx, history)
    if decision != "return":
        return {}
    listed = list(ctx.data.get("missing_items") or [])
    wrong = _not_applicable(ctx.case.data.get("kind"), listed)
    if wrong:
        return {"missing_items": wrong}
    _refuse_late_items(history, listed, "missing_items", "不得再次要求补正")
    return {}


# The persons and the project of locks: the names and the region a case is bound by (changes no lock).
_NAMES_OF_LOCKS = (select(Person.name, Project.id, Project.name, Project.region_code).select_from(ProjectLock)
                   .join(Person, Person.id == ProjectLock.person_id).join(Project, Project.id == ProjectLock.project_id)
                   .where(ProjectLock.id.in_(bindparam("ids", expanding=True))).order_by(ProjectLock.id))


@handler("unlock.bind_case")
def bind_case(ctx: HandlerContext, lock_ids: list[int]) -> dict[str, Any]:
    """Route the case to the project's authority and name it after the persons and the project."""
    wanted = _ids(lock_ids)
    rows = ctx.session.execute(_NAMES_OF_LOCKS, {"ids": wanted}).all() if wanted else []
    if not rows:
        raise ValueError("申请中没有有效的锁定人员")
    _person, project_id, project_name, region_code = rows[0]
    ctx.case.region_code = region_code
    names = "、".join(row[0] for row in rows)
    ctx.case.title = TITLE.format(names=names, project=project_name)
    return {"project_id": project_id, "project_name": project_name, "region_code": region_code}


def _set_state(ctx: HandlerContext, state: str, title: str) -> None:
    ctx.case.data = {**(ctx.case.data or {}), "unlock_state": state, "unlock_state_title": title}


@handler("unlock.release_locks")
def release_locks(ctx: HandlerContext, lock_ids: list[int], kind: str,
                  temporary_end_date: str | None = None) -> dict[str, Any]:
    """Release the approved locks; a temporary unlock records when the lock returns."""
    relock_at = None
    if kind == "temporary" and temporary_end_date:
        relock_at = datetime.combine(date.fromisoformat(temporary_end_date), time(23, 59, 59), tzinfo=LOCAL_TZ)
    released, ended = [], []
    locks, personnel = _locks(lock_ids)
    for lock in locks:
        if lock.enterprise_id != ctx.case.applicant_org_id:
            raise ValueError(Message(NOT_THE_APPLICANTS_LOCK, lock=lock.id))
        if temporarily_released(lock) and lock.released_by_case_id != ctx.case.id:
            if relock_at is not None:
                raise ValueError(Message(TEMPORARILY_RELEASED_ALREADY, lock=lock.id))
            ended.append(_case_number(ctx.session, lock.released_by_case_id))  # its timer restores nothing now
        lock.active, lock.released_at = False, utcnow()
        lock.relock_at, lock.released_by_case_id = relock_at, ctx.case.id
        released.append(lock.id)
    audit.record(ctx.actor, "record.locks_released", "project_lock", ",".join(map(str, released)), case=ctx.case.number,
                 locks=released, before={"active": True}, after={"active": False, "relock_at": relock_at})
    if relock_at is not None:
        # Approved: the case now only waits for the end date, it no longer applies for the locks (an
        # application for a permanent unlock of them may be filed meanwhile).
        subjects.release(ctx.case, PROCEDURE)
        _set_state(ctx, "temporarily_unlocked", TEMPORARILY_UNLOCKED.format(end=temporary_end_date))
    elif ended:
        _set_state(ctx, "unlocked", UNLOCKED_ENDING_TEMPORARY.format(numbers="、".join(sorted(set(ended)))))
    else:
        _set_state(ctx, "unlocked", "已解锁")
    _tell_approval_system(ctx, personnel, "released")
    return {"released": released, "ended_temporary": sorted(set(ended))}


def _tell_approval_system(ctx: HandlerContext, personnel: ProjectPersonnel | None, event: str) -> None:
    """The approval system keeps the project's locked personnel: it hears of every release and relock (the
    states told are those of the lock objects just changed: no flush and no second read is needed)."""
    if personnel is not None:
        queue_project_personnel(personnel, ctx.case, event)


@handler("unlock.restore_locks")
def restore_locks(ctx: HandlerContext, lock_ids: list[int]) -> dict[str, Any]:
    """The temporary unlock ended: the locks this case released return."""
    restored, superseded = [], []
    locks, personnel = _locks(lock_ids)
    for lock in locks:
        if lock.released_by_case_id == ctx.case.id and temporarily_released(lock):
            lock.active, lock.relock_at, lock.locked_at = True, None, utcnow()
            restored.append(lock.id)
        elif lock.released_by_case_id not in (None, ctx.case.id) and not lock.active:
            superseded.append(_case_number(ctx.session, lock.released_by_case_id))
    audit.record(ctx.actor, "record.locks_restored", "project_lock", ",".join(map(str, restored)), case=ctx.case.number,
                 locks=restored, before={"active": False}, after={"active": True})
    if superseded and not restored:
        numbers = "、".join(sorted(set(superseded)))
        _set_state(ctx, "superseded", SUPERSEDED.format(numbers=numbers))
    else:
        _set_state(ctx, "relocked", "临时解锁期满，已恢复锁定")
    if restored:
        _tell_approval_system(ctx, personnel, "restored")
    return {"restored": restored, "superseded_by": sorted(set(superseded))}


@handler("unlock.check_withdraw")
def check_withdraw(ctx: HandlerContext) -> dict[str, Any]:
    """A temporary unlock cannot be withdrawn to escape the relock."""
    pending = [lk for lk in _lock_facts(ctx.session, ctx.case.data.get("lock_ids", []))
               if lk.released_by_case_id == ctx.case.id and not lk.active and lk.relock_at is not None]
    if pending:
        until = pending[0].relock_at.astimezone(LOCAL_TZ).date().isoformat() if pending[0].relock_at else ""
        raise RuleViolation(Message("临时解锁期间不能撤回办件，锁定将于 {until} 期满后自动恢复", until=until),
                            code="withdraw_during_temporary_unlock")
    return {}


# The texts this module stores in Chinese (the English pages read them back: app/services/stored_texts.py).
STORED_TEXTS = (TITLE, TEMPORARILY_UNLOCKED, UNLOCKED_ENDING_TEMPORARY, SUPERSEDED, NOT_THE_APPLICANTS_LOCK,
                TEMPORARILY_RELEASED_ALREADY)
