"""A finished task's page says how it ended and shows only what was submitted in it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.web import WebUser
from tests.web.test_pages import case_number, review_path, start, started_and_submitted, submit_request


def test_a_task_cancelled_by_withdrawal_is_not_shown_as_done(web: Callable[[str], WebUser], as_user: Any) -> None:
    ent = web("ent-nanning")
    case_id, task_path = start(ent)
    withdrawn = as_user("ent-nanning").post(f"/api/v1/cases/{case_id}/withdraw", {"reason": "项目情况有变"})
    assert withdrawn.status_code == 200
    html = ent.html(task_path)
    assert 'data-testid="task-cancelled"' in html and "办件已撤回，该任务随之取消" in html
    assert "已办结" not in html
    timeline = ent.html(f"/cases/{case_id}").split('data-testid="timeline"')[1]
    assert "撤回办件" in timeline and "理由：项目情况有变" in timeline  # the reason asked for is shown


def test_a_completed_task_shows_its_own_submission_not_the_case_as_it_stands(web: Callable[[str], WebUser]) -> None:
    ent, case_id, first_round = started_and_submitted(web)
    city = web("city-nanning")
    review = review_path(city, case_number(ent, case_id))
    assert city.post(review + "/claim").status_code == 302
    assert city.post(review, {"decision": "reject", "comment": "缺少监理单位盖章",
                              "reject_ground": "conditions_not_met"}).status_code == 302
    amend = ent.html("/").split('">办理')[0].rsplit('href="', 1)[1]
    assert submit_request(ent, amend, reason="第二轮：已补充监理单位盖章的申请表").status_code == 302
    html = ent.html(first_round)
    assert 'data-testid="task-done"' in html and 'data-testid="submitted"' not in html
    assert "第二轮：已补充监理单位盖章的申请表" not in html


def test_an_unclaimed_task_is_not_said_to_be_in_someone_elses_hands(web: Callable[[str], WebUser]) -> None:
    """The applicant opens the authority's review from the case page before anyone claimed it: the page said
    办理人：未领取 and, below it, 该任务由他人办理中."""
    ent, case_id, _ = started_and_submitted(web)
    city = web("city-nanning")
    review = review_path(city, case_number(ent, case_id))
    note = ent.html(review).split('data-testid="task-open-note">')[1].split("</div>")[0]
    assert "尚未领取" in note and "由他人办理中" not in note
    assert city.post(review + "/claim").status_code == 302
    assert "该任务由他人办理中" in ent.html(review).split('data-testid="task-open-note">')[1].split("</div>")[0]


def test_the_decision_that_closes_the_case_says_so(web: Callable[[str], WebUser]) -> None:
    """The final approval was told 已提交办理，流程已流转到下一环节 although nothing came next."""
    ent, case_id, _ = started_and_submitted(web)
    city = web("city-nanning")
    review = review_path(city, case_number(ent, case_id))
    assert city.post(review + "/claim").status_code == 302
    done = city.post(review, {"decision": "approve"}, follow_redirects=True).get_data(as_text=True)
    assert "已提交办理，办件已办结" in done and "流转到下一环节" not in done
