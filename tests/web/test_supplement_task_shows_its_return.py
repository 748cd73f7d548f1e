"""An applicant's 补正 task, opened after the case went on (from the bell's supplement notice, from the history),
shows the return it answered, not the case's latest decision."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.support.web import WebUser
from tests.web.test_pages import case_number, review_path, started_and_submitted, submit_request

RETURNED = "缺少监理单位盖章"
APPROVED = "材料齐全，同意解锁"


def _last_result(html: str) -> str:
    assert 'data-testid="last-result"' in html
    return re.sub(r"<[^>]+>", " ", html.split('data-testid="last-result"')[1].split("</section>")[0])


def test_a_finished_supplement_task_shows_the_return_it_answered(web: Callable[[str], WebUser]) -> None:
    ent, case_id, _ = started_and_submitted(web)
    city = web("city-nanning")
    number = case_number(ent, case_id)
    review = review_path(city, number)
    assert city.post(review + "/claim").status_code == 302
    assert city.post(review, {"decision": "reject", "comment": RETURNED,
                              "reject_ground": "conditions_not_met"}).status_code == 302
    amend = ent.html("/").split('">办理')[0].rsplit('href="', 1)[1]
    open_page = _last_result(ent.html(amend))
    assert RETURNED in open_page  # while it is open: the return it answers
    assert submit_request(ent, amend, reason="已补充监理单位盖章的申请表").status_code == 302
    second = review_path(city, number)
    assert city.post(second + "/claim").status_code == 302
    assert city.post(second, {"decision": "approve", "comment": APPROVED}).status_code == 302
    finished = _last_result(ent.html(amend))
    assert RETURNED in finished and APPROVED not in finished
