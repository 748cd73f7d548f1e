"""An upload no submission names yet is its own side's business: the other side neither lists it (API list, case
answer, case page), nor reads its name in the history, nor downloads it (API and page: 404, as a file that does not
exist). Once a submission names it, both sides see it."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Person, ProjectLock
from tests.procedures.steps import act_ok, task_of, upload
from tests.support.api import ApiUser
from tests.support.web import WebUser

DRAFT = "核查意见草稿-拟不予解锁.pdf"
LATE = "补正材料-尚未提交.pdf"
AUTHORITIES = ("city-nanning", "province", "supervisor-nanning")


def _lock_of(app: Flask, name: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                     .where(Person.name == name, ProjectLock.active.is_(True))))


def _submitted_application(ent: ApiUser, app: Flask) -> tuple[int, dict[str, Any]]:
    case_id = int(ent.start("personnel_unlock").json["id"])
    data = {"kind": "duty_change", "lock_ids": [_lock_of(app, "陆伟")], "reason": "项目经理履职变更，申请解除锁定",
            "application_files": [upload(ent, case_id, "解锁申请表.pdf")]}
    act_ok(ent, case_id, data)
    return case_id, data


def _seen_by(user: ApiUser, case_id: int, attachment_id: str, filename: str) -> dict[str, bool]:
    """Where the user meets the upload through the API."""
    answer = user.case(case_id)
    return {"case": attachment_id in [a["id"] for a in answer["attachments"]],
            "history": filename in json.dumps(answer["history"], ensure_ascii=False),
            "list": attachment_id in [a["id"] for a in user.get(f"/api/v1/cases/{case_id}/attachments").json],
            "download": user.get(f"/api/v1/cases/{case_id}/attachments/{attachment_id}").status_code == 200}


def test_a_reviewers_unsubmitted_draft_is_not_the_applicants_to_see(
        as_user: Callable[[str], ApiUser], web: Callable[[str], WebUser], app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, _ = _submitted_application(ent, app)
    review = task_of(city, case_id)
    assert review is not None and city.claim(review["id"]).status_code == 200
    draft = upload(city, case_id, DRAFT)  # the review is not submitted

    assert _seen_by(ent, case_id, draft, DRAFT) == dict.fromkeys(("case", "history", "list", "download"), False)
    download = ent.get(f"/api/v1/cases/{case_id}/attachments/{draft}")
    assert download.status_code == 404 and download.json["code"] == "attachment_not_found"  # not "yours"
    deletion = ent.client.delete(f"/api/v1/cases/{case_id}/attachments/{draft}", headers=ent.headers)
    assert deletion.status_code == 404
    page = web("ent-nanning")
    assert page.get(f"/cases/{case_id}/attachments/{draft}").status_code == 404
    assert DRAFT not in page.html(f"/cases/{case_id}")

    for name in AUTHORITIES:  # the authority side: its own draft, listed and downloaded
        assert _seen_by(as_user(name), case_id, draft, DRAFT) == dict.fromkeys(
            ("case", "history", "list", "download"), True), name
    reviewer_page = web("city-nanning")
    assert reviewer_page.get(f"/cases/{case_id}/attachments/{draft}").status_code == 200
    own = reviewer_page.html(f"/cases/{case_id}").split('id="files-heading"', 1)[1].split("</section>", 1)[0]
    assert DRAFT in own and "未随办理意见提交的附件（1）" in own and "仅审核机关一方可见" in own

    # Deleted again by the reviewer: the deletion (with the file's name) is the authority side's business too.
    assert city.client.delete(f"/api/v1/cases/{case_id}/attachments/{draft}", headers=city.headers).status_code == 204
    assert DRAFT not in json.dumps(ent.case(case_id)["history"], ensure_ascii=False)
    assert DRAFT not in page.html(f"/cases/{case_id}")
    assert DRAFT in json.dumps(city.case(case_id)["history"], ensure_ascii=False)


def test_an_applicants_upload_after_a_return_reaches_the_authorities_with_its_submission(
        as_user: Callable[[str], ApiUser], web: Callable[[str], WebUser], app: Flask) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id, data = _submitted_application(ent, app)
    act_ok(city, case_id, {"decision": "return", "comment": "申请表缺少监理单位盖章",
                           "missing_items": ["application_files"]})
    late = upload(ent, case_id, LATE)  # the 补正 is not submitted

    assert _seen_by(ent, case_id, late, LATE) == dict.fromkeys(("case", "history", "list", "download"), True)
    for name in AUTHORITIES:
        assert _seen_by(as_user(name), case_id, late, LATE) == dict.fromkeys(
            ("case", "history", "list", "download"), False), name
        page = web(name)
        assert page.get(f"/cases/{case_id}/attachments/{late}").status_code == 404
        assert LATE not in page.html(f"/cases/{case_id}")

    act_ok(ent, case_id, {**data, "application_files": [late]})  # now a submission names it
    for name in ("ent-nanning", *AUTHORITIES):
        assert _seen_by(as_user(name), case_id, late, LATE) == dict.fromkeys(
            ("case", "history", "list", "download"), True), name
    assert web("city-nanning").get(f"/cases/{case_id}/attachments/{late}").status_code == 200
