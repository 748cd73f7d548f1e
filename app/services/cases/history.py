"""Append-only case history.

A step records up to a dozen events. They are buffered in the session and written in one multi-row
INSERT (SQLite would otherwise run one INSERT ... RETURNING per event), at the latest before the
transaction commits and before any SELECT of the same session (unless the query declares it does not
read history), so every read sees them.
A savepoint (`history.savepoint()`) writes the buffer first; events recorded inside a savepoint that
rolls back are dropped with it, like every other change made inside it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, defaultload

from app.db import table_of, utcnow
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
    "case_terminated": "办件终止",
    "comment": "评论",
    # deadline clocks (services/deadlines: clocks, escalation)
    "clock_started": "开始计时",
    "clock_paused": "暂停计时",
    "clock_resumed": "恢复计时",
    "deadline_warning": "办理时限预警",
    "deadline_overdue": "超过办理时限",
    "statutory_overdue": "超过法定时限",
    "timer_provisional": "定时器按暂定日历计算",
    "timer_rescheduled": "定时器按正式日历重新排定",
}

_PENDING = "gjy_pending_case_events"


def record(case: Case, kind: str, actor: User | None = None, *, task_id: str | None = None,
           step: str | None = None, payload: dict[str, Any] | None = None) -> None:
    """Append an event to the case's history (in the current transaction)."""
    if case.id is None:
        raise RuntimeError("history.record needs a flushed case (its id)")
    session = db.session()
    if not session.in_transaction():  # the events belong to a transaction: if it fails, they go with it
        session.begin()
    session.info.setdefault(_PENDING, []).append({
        "case_id": case.id, "at": utcnow(), "kind": kind, "actor_id": actor.id if actor else None,
        "task_id": task_id, "step": step, "payload": payload or {}})


_INSERT_EVENTS = insert(table_of(CaseEvent))


def write_pending(session: Session) -> None:
    """Write the buffered events now (one statement, on the session's connection: the rows they refer
    to, cases and users, are in the database already, so nothing needs flushing first)."""
    rows = session.info.get(_PENDING)
    if rows:
        session.info[_PENDING] = []
        session.connection().execute(_INSERT_EVENTS, rows)


@contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint that keeps the history straight: events recorded before it are written outside it."""
    write_pending(db.session())
    with db.session.begin_nested():
        yield


def list_events(case: Case) -> list[CaseEvent]:
    """The case's history, oldest first, with each actor and organisation (their roles are not needed:
    not loaded)."""
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        .options(defaultload(CaseEvent.actor).lazyload(User.role_rows))))


# -- session hooks -----------------------------------------------------------------------------
@event.listens_for(Session, "do_orm_execute")
def _write_before_read(state: ORMExecuteState) -> None:
    # A query that cannot see case_events may say so (execution option reads_history=False).
    if state.is_select and state.session.info.get(_PENDING) and state.execution_options.get("reads_history", True):
        write_pending(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_transaction_create")
def _refuse_savepoint_over_pending(session: Session, transaction: SessionTransaction) -> None:
    # Written inside the savepoint, earlier events would vanish if it rolled back: use savepoint().
    if transaction.nested and session.info.get(_PENDING):
        raise RuntimeError("case events are pending: open savepoints with history.savepoint()")


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # The buffer was empty when any savepoint began, so all of it belongs to what was rolled back.
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_when_the_transaction_ends(session: Session, transaction: SessionTransaction) -> None:
    # A committed transaction wrote its events before committing; anything left was not committed.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
