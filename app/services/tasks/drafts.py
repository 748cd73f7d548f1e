"""Drafts of task forms (暂存): a user's unsubmitted input of an open task, kept on the server.

A draft is the form's data as typed (not validated: the submission is), with the attachment ids of the
files uploaded so far, so a form reopened later shows both. Only whoever may work on the task keeps one;
completing the task drops its drafts (services/tasks/work.py).
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, select

from app.errors import InvalidForm, Message, NotAllowed, TaskNotOpen
from app.extensions import db
from app.models import Actor, Task, TaskDraft, TaskStatus
from app.policy import is_candidate
from app.services.tasks.work import get_task

MAX_DRAFT_BYTES = 64 * 1024  # a form's text fields and attachment ids; far above what the forms hold


def _may_work(actor: Actor, task: Task) -> bool:
    return task.status == TaskStatus.OPEN and (
        task.assignee_id == actor.id or (task.assignee_id is None and task.scope == "applicant"
                                         and is_candidate(actor, task)))


def save_draft(actor: Actor, task_id: str, data: dict[str, Any]) -> TaskDraft:
    """Keep `data` as the actor's draft of the task (replacing an earlier one)."""
    task = get_task(actor, task_id)
    if not _may_work(actor, task):
        raise NotAllowed("您不是该任务的办理人", code="not_candidate")
    if len(json.dumps(data, ensure_ascii=False).encode("utf-8")) > MAX_DRAFT_BYTES:
        raise InvalidForm({"": Message("暂存内容过大")})
    draft = db.session.get(TaskDraft, (task.id, actor.id))
    if draft is None:
        draft = TaskDraft(task_id=task.id, user_id=actor.id, data=data)
        db.session.add(draft)
    else:
        draft.data = data
    db.session.flush()
    # Still open, read once the draft is written: a completion of the task at the same moment has either
    # committed (PostgreSQL: this read waits for its lock on the task's row; SQLite: it runs under the write
    # lock the flush took) and the draft is refused, or comes after and deletes the draft with the others.
    if db.session.scalar(_STATUS_LOCKED, {"task_id": task.id}) != TaskStatus.OPEN:
        raise TaskNotOpen()
    return draft


_STATUS_LOCKED = select(Task.status).where(Task.id == bindparam("task_id")).with_for_update()


def find_draft(actor: Actor, task: Task) -> TaskDraft | None:
    """The actor's draft of a task it may still work on, if any."""
    if not _may_work(actor, task):
        return None
    return db.session.get(TaskDraft, (task.id, actor.id))


