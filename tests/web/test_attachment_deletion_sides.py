"""Drafts are not validated: an applicant's 暂存 draft may name any id, the officials' unsubmitted files among them.
Such a draft does not keep an official from deleting his own upload: only a draft of his own side counts."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Attachment, Person, ProjectLock
from app.services.identity.accounts import get_user_by_username
from app.services.tasks.drafts import save_draft
from tests.procedures.steps import act_ok, task_of, upload


def test_an_applicants_draft_naming_an_officials_file_does_not_keep_him_from_deleting_it(
        app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with app.app_context():
        lock_id = db.session.scalar(select(ProjectLock.id).join(Person, Person.id == ProjectLock.person_id)
                                    .where(Person.name == "陆伟"))
    case_id = ent.start("personnel_unlock").json["id"]
    act_ok(ent, case_id, {"kind": "completion", "lock_ids": [lock_id], "reason": "项目已竣工验收，申请解除项目经理锁定",
                          "application_files": [upload(ent, case_id, "解锁申请表.pdf")],
                          "completion_files": [upload(ent, case_id, "竣工验收.pdf")]})
    review = task_of(city, case_id)
    assert review is not None and city.claim(review["id"]).status_code == 200
    stray = upload(city, case_id, "误传的核查记录.pdf")  # a wrong file picked; the return does not name it
    act_ok(city, case_id, {"decision": "return", "comment": "竣工验收报告缺少盖章页，请重新上传",
                           "missing_items": ["completion_files"]})
    supplement = task_of(ent, case_id)
    assert supplement is not None
    if supplement["assignee"] is None:
        assert ent.claim(supplement["id"]).status_code == 200
    with app.app_context(), unit_of_work():  # the applicant's draft names its id (drafts are not validated)
        save_draft(get_user_by_username("ent-nanning"), supplement["id"], {"completion_files": [stray]})
    deleted = city.client.delete(f"/api/v1/cases/{case_id}/attachments/{stray}", headers=city.headers)
    assert deleted.status_code == 204, deleted.json
    with app.app_context():
        assert db.session.get(Attachment, stray) is None
