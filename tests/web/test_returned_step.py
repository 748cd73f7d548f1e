"""C → A after the province returns the record: the city's record form opens with what it submitted last
time and shows what the province asked; the panels show labels, not raw values; each decision in the case
is labelled by its own form's title."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.api.test_review_rounds import RETURNED, returned_for_supplement
from tests.procedures.steps import act_ok, upload
from tests.procedures.test_data_upgrade_b_to_a import record_data, work
from tests.procedures.test_data_upgrade_c_to_a import approved_by_city, dispatch, receipt, recorded_and_sent
from tests.support.web import WebUser

ASKED = "核查记录缺少现场照片，请补充后重新寄送"


def returned_by_province(as_user: Any) -> tuple[int, str]:
    """A C → A case whose record the province sent back to the city: (case id, the city's new task id)."""
    city, province = as_user("city-nanning"), as_user("province")
    case = approved_by_city(as_user)
    recorded_and_sent(city, case["id"])
    assert work(province, case["id"], {**receipt(), "decision": "return", "return_note": ASKED}).status_code == 200
    task = city.task_for(case["id"])
    assert city.claim(task["id"]).status_code == 200
    return int(case["id"]), str(task["id"])


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_returned_record_opens_pre_filled_with_what_was_asked(app: Flask, as_user: Any) -> None:
    case_id, task_id = returned_by_province(as_user)
    html = WebUser(app, "city-nanning").login().html(f"/tasks/{task_id}")
    assert 'value="南宁市青秀区民族大道项目现场"' in html  # 核查地点 as submitted the first time
    assert 'value="陆伟（项目经理）"' in html
    assert 'data-testid="returned-note"' in html
    last = _text(html.split('data-testid="last-result"')[1].split("</section>")[0])
    assert "退回市级重新核查" in last and ASKED in last and "接收原件并审定" in last
    assert not re.search(r">\s*return\s*<", html) and "同意（生成B级数据）" not in last


def test_every_decision_of_the_finished_case_is_labelled_by_its_own_form(app: Flask, as_user: Any) -> None:
    city, province = as_user("city-nanning"), as_user("province")
    case_id, task_id = returned_by_province(as_user)
    assert city.complete(task_id, record_data()).status_code == 200
    assert work(city, case_id, {**dispatch(), "tracking_number": "EA987654321CN"}).status_code == 200
    assert work(province, case_id, {**receipt(), "decision": "approve"}).status_code == 200
    html = WebUser(app, "ent-nanning").login().html(f"/cases/{case_id}")
    timeline = _text(html.split('data-testid="timeline"')[1])
    # the city's approval once, under its own form; the province's return and confirmation under theirs
    assert timeline.count("同意（生成B级数据）") == 1
    assert "退回市级重新核查" in timeline and "确认提升为A级" in timeline
    assert not re.search(r">\s*(return|approve)\s*<", html)
    submitted = _text(html.split('data-testid="submitted"')[1].split("</section>")[0]) if \
        'data-testid="submitted"' in html else ""
    if submitted:  # the case as it stands: the last decision is the province's confirmation
        assert "确认提升为A级" in submitted and "同意（生成B级数据）" not in submitted


def test_a_review_after_the_applicants_resubmission_opens_empty(app: Flask, as_user: Any) -> None:
    """The city returned the request for 补正 and the enterprise resubmitted: the new review is a new round. It
    used to open on the last round's 退回补正 and its comment, which an approval then carried into the 办结通知."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, request = returned_for_supplement(app, ent, city)
    returned = ent.task_for(case_id, "mine") or ent.task_for(case_id)
    assert returned is not None
    resubmit = WebUser(app, "ent-nanning").login().html(f"/tasks/{returned['id']}")
    assert RETURNED in resubmit and 'data-testid="returned-note"' in resubmit  # the applicant's round is returned
    act_ok(ent, case_id, {**request, "completion_files": [upload(ent, case_id, "竣工验收（盖章）.pdf")]})
    task = city.task_for(case_id)
    assert task is not None and city.claim(task["id"]).status_code == 200
    review = WebUser(app, "city-nanning").login().html(f"/tasks/{task['id']}")
    form = review.split("<form", 1)[1].split("</form>", 1)[0]
    assert RETURNED not in form and "checked" not in form and 'data-testid="returned-note"' not in review


def test_the_province_s_next_receipt_after_the_city_sent_again_opens_empty(app: Flask, as_user: Any) -> None:
    """The province returned the record, the city recorded and sent it again: the province's receipt is a new
    round (the original not received yet), not a step sent back to it; it opened on 退回市级重新核查, its comment and
    the old receipt ticked, and one click returned the case again."""
    city, province = as_user("city-nanning"), as_user("province")
    case_id, task_id = returned_by_province(as_user)
    assert city.complete(task_id, record_data()).status_code == 200
    assert work(city, case_id, {**dispatch(), "tracking_number": "EA987654321CN"}).status_code == 200
    task = province.task_for(case_id)
    assert task is not None and province.claim(task["id"]).status_code == 200
    page = WebUser(app, "province").login().html(f"/tasks/{task['id']}")
    form = page.split('data-testid="task-form"', 1)[1].split("</form>", 1)[0]
    assert ASKED not in form and "checked" not in form and 'data-testid="returned-note"' not in page
