"""An upload no submission named (a wrong file picked, never sent) is deleted by its uploader: from the case
page and the API, the row at once and the file only once the deletion has committed; a file a submission
or a 暂存 draft names stays, and nobody else deletes it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import Attachment, AuditEntry
from app.services.cases.attachments import delete_attachment
from app.services.identity.accounts import get_user_by_username
from app.services.tasks.drafts import save_draft
from tests.api.test_case_lifecycle import start_and_submit
from tests.procedures.steps import upload
from tests.support.web import WebUser
from tests.web.test_case_page_contents import section


def _file_of(app: Flask, attachment_id: str) -> Path:
    with app.app_context():
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment is not None
        return Path(app.config["UPLOAD_DIR"]) / attachment.storage_path


def _exists(app: Flask, attachment_id: str) -> bool:
    with app.app_context():
        return db.session.get(Attachment, attachment_id) is not None


def test_the_uploader_deletes_an_unsubmitted_file_from_the_case_page(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id, _ = start_and_submit(ent)
    stray = upload(ent, case_id, "传错的身份证复印件.pdf")
    path = _file_of(app, stray)
    assert path.exists()
    page = WebUser(app, "ent-nanning").login()
    files = section(page.html(f"/cases/{case_id}"), "files-heading")
    assert "传错的身份证复印件.pdf" in files and 'data-testid="delete-attachment"' in files
    submitted = re.findall(r'data-attachment="([0-9a-f-]+)"', files.split('data-testid="unsubmitted-files"')[0])
    assert submitted and files.count('data-testid="delete-attachment"') == 1  # only the unsubmitted one

    deleted = page.post(f"/cases/{case_id}/attachments/{stray}/delete")
    assert deleted.status_code == 302
    shown = page.html(f"/cases/{case_id}")
    assert "附件“传错的身份证复印件.pdf”已删除" in shown
    assert "unsubmitted-files" not in section(shown, "files-heading")
    assert not _exists(app, stray) and not path.exists()
    timeline = section(shown, "timeline-heading")
    assert 'data-kind="attachment_deleted"' in timeline and "传错的身份证复印件.pdf" in timeline
    # the authority never saw the file: neither its upload nor its deletion is in its timeline
    city_page = WebUser(app, "city-nanning").login().html(f"/cases/{case_id}")
    assert "传错的身份证复印件.pdf" not in city_page and 'data-kind="attachment_deleted"' not in city_page
    with app.app_context():
        audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.attachment_deleted")).all()
        assert [a.details["payload"] for a in audited] == [
            {"attachment_id": stray, "filename": "传错的身份证复印件.pdf"}]


def test_submitted_files_drafted_files_and_other_users_files_stay(app: Flask, as_user: Any) -> None:
    ent, city, other = as_user("ent-nanning"), as_user("city-nanning"), as_user("ent-liuzhou")
    case_id, _ = start_and_submit(ent)
    submitted = ent.case(case_id)["data"]["application_files"][0]
    refused = ent.client.delete(f"/api/v1/cases/{case_id}/attachments/{submitted}", headers=ent.headers)
    assert refused.status_code == 422 and refused.json["code"] == "attachment_submitted"
    assert refused.json["message"] == "该附件已随表单提交，作为办件材料存档，不能删除"
    assert _file_of(app, submitted).exists()

    report = city.claim(city.task_for(case_id)["id"])
    assert report.status_code == 200
    review = city.task_for(case_id, view="mine")
    drafted = upload(city, case_id, "核查记录.pdf")
    with app.app_context(), unit_of_work():
        save_draft(get_user_by_username("city-nanning"), review["id"], {"comment": "待核", "check_files": [drafted]})
    in_draft = city.client.delete(f"/api/v1/cases/{case_id}/attachments/{drafted}", headers=city.headers)
    assert in_draft.status_code == 422 and in_draft.json["code"] == "attachment_in_draft"

    not_yours = city.client.delete(f"/api/v1/cases/{case_id}/attachments/{submitted}", headers=city.headers)
    assert not_yours.status_code == 403 and not_yours.json["code"] == "attachment_not_yours"
    stray = upload(ent, case_id, "多余.pdf")
    # the applicant's unsubmitted upload is not the authority's to see either: as if it did not exist
    unseen = city.client.delete(f"/api/v1/cases/{case_id}/attachments/{stray}", headers=city.headers)
    assert unseen.status_code == 404 and unseen.json["code"] == "attachment_not_found"
    unseen = other.client.delete(f"/api/v1/cases/{case_id}/attachments/{stray}", headers=other.headers)
    assert unseen.status_code == 404
    assert _exists(app, stray) and _file_of(app, stray).exists()
    gone = ent.client.delete(f"/api/v1/cases/{case_id}/attachments/{stray}", headers=ent.headers)
    assert gone.status_code == 204 and not _exists(app, stray)
    again = ent.client.delete(f"/api/v1/cases/{case_id}/attachments/{stray}", headers=ent.headers)
    assert again.status_code == 404 and again.json["code"] == "attachment_not_found"


def test_a_deletion_rolled_back_keeps_the_file(app: Flask, as_user: Any) -> None:
    """The file is removed after the commit only: a unit of work that fails after the deletion leaves the row
    and its file as they were (a download still works)."""
    ent = as_user("ent-nanning")
    case_id, _ = start_and_submit(ent)
    stray = upload(ent, case_id, "多余.pdf")
    path = _file_of(app, stray)
    with pytest.raises(RuntimeError), app.app_context(), unit_of_work():
        delete_attachment(get_user_by_username("ent-nanning"), case_id, stray, app.config["UPLOAD_DIR"])
        raise RuntimeError("a later step of the same request fails")
    assert _exists(app, stray) and path.exists()
    assert ent.get(f"/api/v1/cases/{case_id}/attachments/{stray}").status_code == 200
    with app.app_context(), unit_of_work():  # and a later commit does not remove it either
        pass
    assert path.exists()
