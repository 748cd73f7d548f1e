"""Append-only case history."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Case, CaseEvent, User

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
    "timer_fired": "定时器触发",
    "attachment_uploaded": "上传附件",
    "case_completed": "办结",
    "case_withdrawn": "撤回办件",
    "comment": "评论",
}


def record(case: Case, kind: str, actor: User | None = None, *, task_id: str | None = None,
           step: str | None = None, payload: dict[str, Any] | None = None) -> CaseEvent:
    event = CaseEvent(case_id=case.id, kind=kind, actor_id=actor.id if actor else None,
                      task_id=task_id, step=step, payload=payload or {})
    db.session.add(event)
    return event


def list_events(case: Case) -> list[CaseEvent]:
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))
