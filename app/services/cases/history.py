"""Append-only case history: every event is a `CaseEvent` added to the session, written by the next flush
(several events of a step in one multi-row INSERT)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from app.db import utcnow
from app.extensions import db
from app.models import Actor, Case, CaseEvent, Organisation, OrganisationKind, User
from app.services import audit

EVENT_TITLES = {
    "case_started": "发起办件",
    "task_created": "生成待办",
    "task_claimed": "领取任务",
    "task_unclaimed": "退回任务池",
    "task_assigned": "分派任务",
    "task_completed": "提交办理",
    "task_cancelled": "任务取消",
    "step_finished": "流程步骤完成",
    "handler_ran": "自动处理完成",
    "error": "流程出错",
    "retried": "管理员重试",
    "case_migrated": "迁移到流程新版本",
    "timer_fired": "定时器触发",
    "message_received": "收到消息",
    "signal_received": "收到信号",
    "error_caught": "捕获流程错误",
    "escalation_caught": "捕获升级事件",
    "condition_met": "条件满足",
    "attachment_uploaded": "上传附件",
    "attachment_deleted": "删除附件",
    "case_completed": "办结",
    "case_withdrawn": "撤回办件",
    "case_terminated": "办件终止",
    "comment": "评论",
    # deadline clocks (services/deadlines: clocks, escalation)
    "clock_started": "开始计时",
    "clock_paused": "暂停计时",
    "clock_resumed": "恢复计时",
    "clock_stopped": "作出决定，停止计时",
    "deadline_moved": "日历调整，时限重算",
    "deadline_warning": "办理时限预警",
    "deadline_overdue": "超过办理时限",
    "statutory_overdue": "超过法定时限",
    "timer_provisional": "定时器按暂定日历计算",
}


def record(case: Case, kind: str, actor: Actor | None = None, *, task_id: str | None = None,
           step: str | None = None, payload: dict[str, Any] | None = None) -> CaseEvent:
    """Append an event to the case's history (in the current transaction; a case not written yet gets its
    id when the flush writes it first)."""
    event = CaseEvent(at=utcnow(), kind=kind, actor_id=actor.id if actor else None, task_id=task_id, step=step,
                      payload=payload or {})
    if case.id is None:
        event.case = case
    else:
        event.case_id = case.id
    db.session.add(event)
    audit.record(actor, f"case.{kind}", "case", case.number, task_id=task_id, step=step, payload=payload or {})
    return event


@dataclass(frozen=True, slots=True)
class EventActor:
    """Who acted, as the history shows them: name and organisation, nothing else of the account."""

    id: int
    username: str
    display_name: str
    organisation_name: str
    individual: bool = False  # acts for himself: his organisation is his own (its name is his, "（个人）")
    organisation_id: int | None = None  # which side of the case he acted on (services/cases/attachments)
    organisation_kind: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a case's history as the case page, the task page and the API show it."""

    id: int
    at: datetime
    kind: str
    actor_id: int | None
    actor: EventActor | None
    task_id: str | None
    step: str | None
    payload: dict[str, Any]


# The case's history, oldest first, with each actor's name and organisation, as columns: read on every case
# page, whose history grows with the case (loading User entities decrypted every actor's phone and built
# objects nobody changes).
_EVENTS_OF_CASE = (
    select(CaseEvent.id, CaseEvent.at, CaseEvent.kind, CaseEvent.actor_id, CaseEvent.task_id, CaseEvent.step,
           CaseEvent.payload, User.username, User.display_name, User.organisation_id,
           Organisation.name.label("organisation_name"), Organisation.kind.label("organisation_kind"))
    .outerjoin(User, User.id == CaseEvent.actor_id).outerjoin(Organisation, Organisation.id == User.organisation_id)
    .where(CaseEvent.case_id == bindparam("case")).order_by(CaseEvent.id))


def list_events(case: Case) -> list[Event]:
    return [Event(id=row.id, at=row.at, kind=row.kind, actor_id=row.actor_id,
                  actor=EventActor(row.actor_id, row.username, row.display_name, row.organisation_name,
                                   row.organisation_kind == OrganisationKind.INDIVIDUAL, row.organisation_id,
                                   row.organisation_kind)
                  if row.actor_id is not None else None,
                  task_id=row.task_id, step=row.step, payload=row.payload or {})
            for row in db.session.execute(_EVENTS_OF_CASE, {"case": case.id})]
