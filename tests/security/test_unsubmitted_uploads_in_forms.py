"""A form cannot name an upload its submitter may not see: an official's unsubmitted draft is not the applicant's
to submit (submitting it would make it part of the case, readable by the applicant). The form refuses the id with
the words it uses for an id that does not exist (whether the other side's file exists is not confirmed), through
the API and the page alike; the draft stays the authority side's."""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.procedures.steps import act, act_ok, task_of, upload
from tests.security.test_unsubmitted_uploads import DRAFT, _submitted_application
from tests.support.api import ApiUser
from tests.support.web import WebUser

UNKNOWN = "附件不存在或不属于本办件，请重新上传"


def _returned_with_a_draft(ent: ApiUser, city: ApiUser, app: Flask) -> tuple[int, dict[str, Any], str]:
    """An unlock case the reviewer returned for 补正, holding the reviewer's draft report no submission names."""
    case_id, data = _submitted_application(ent, app)
    review = task_of(city, case_id)
    assert review is not None and city.claim(review["id"]).status_code == 200
    draft = upload(city, case_id, DRAFT)
    act_ok(city, case_id, {"decision": "return", "comment": "申请表缺少监理单位盖章",
                           "missing_items": ["application_files"]})
    return case_id, data, draft


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.json
    return dict(response.json["details"]["fields"])


def test_an_applicant_cannot_submit_the_reviewers_unsubmitted_draft(
        as_user: Callable[[str], ApiUser], app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, data, draft = _returned_with_a_draft(ent, city, app)

    named_draft = _errors(act(ent, case_id, {**data, "application_files": [draft]}))
    named_nothing = _errors(act(ent, case_id, {**data, "application_files": [str(uuid.uuid4())]}))
    assert named_draft == named_nothing == {"application_files": UNKNOWN}  # the same words: existence not told
    own = upload(ent, case_id, "补正申请表.pdf")  # beside a file of his own: still refused
    assert _errors(act(ent, case_id, {**data, "application_files": [own], "proof_files": [draft]})) == {
        "proof_files": UNKNOWN}

    answer = ent.case(case_id)  # nothing was submitted: the draft is still not the applicant's to see
    assert draft not in [a["id"] for a in answer["attachments"]] and DRAFT not in json.dumps(answer, ensure_ascii=False)
    assert ent.get(f"/api/v1/cases/{case_id}/attachments/{draft}").status_code == 404
    act_ok(ent, case_id, {**data, "application_files": [own]})  # his own file goes through


def test_the_page_refuses_the_reviewers_draft_as_an_unknown_file(
        as_user: Callable[[str], ApiUser], web: Callable[[str], WebUser], app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, data, draft = _returned_with_a_draft(ent, city, app)
    task = task_of(ent, case_id)
    assert task is not None
    page = web("ent-nanning")
    sent = page.post(f"/tasks/{task['id']}", {"kind": data["kind"], "lock_ids": str(data["lock_ids"][0]),
                                              "reason": data["reason"], "application_files": draft})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422 and UNKNOWN in html
    assert DRAFT not in html  # the id sent is shown back as an unknown id is: as typed, without a file's name
    assert re.search(rf'value="{draft}" checked>\s*<label[^>]*>保留已上传：{draft}</label>', html)
    reopened = page.html(f"/tasks/{task['id']}")  # the refused input is kept as a 暂存 draft: no name there either
    assert DRAFT not in reopened
    assert draft not in [a["id"] for a in ent.case(case_id)["attachments"]]
    assert page.get(f"/cases/{case_id}/attachments/{draft}").status_code == 404
