"""A client that sends a completion again (its answer was lost, it timed out and retried) learns that its own
first submission counted, not that the task "已办结或已取消" as if someone else had ended it."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.support.api import ApiUser
from tests.support.races import add_second_reviewer, review_task, submitted


def test_the_same_completion_sent_again_says_it_was_already_submitted_by_the_sender(
        as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    task_id = case["open_tasks"][0]["id"]
    form = {"title": "钢筋进场检验报告", "amount": 120}
    assert ent.complete(task_id, form).status_code == 200
    again = ent.complete(task_id, form)
    assert again.status_code == 409
    assert again.json == {"code": "task_not_open", "message": "该任务已由您提交，无需重复提交", "details": {},
                          "message_en": "You have submitted this task already: there is no need to submit it again"}
    history = ent.case(case["id"])["history"]
    assert [e["task_id"] for e in history if e["kind"] == "task_completed"] == [task_id]  # counted once


def test_a_task_a_colleague_completed_is_still_reported_as_ended(app: Flask, as_user: Callable[[str], ApiUser],
                                                                  review_procedure: str) -> None:
    add_second_reviewer(app)
    city, colleague = as_user("city-nanning"), as_user("city-nanning-2")
    task_id = review_task(app, submitted(as_user("ent-nanning"), review_procedure)).id
    assert colleague.complete(task_id, {"decision": "approve"}).status_code == 200
    late = city.complete(task_id, {"decision": "approve"})
    assert late.status_code == 409
    assert late.json == {"code": "task_not_open", "message": "该任务已办结或已取消", "details": {},
                         "message_en": "This task is already completed or cancelled"}
