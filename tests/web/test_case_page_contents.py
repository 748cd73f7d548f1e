"""The case page's contents: the attachments some submission named (by field, replaced files marked; the
uploads never submitted only for their own side, apart) and the submitted fields in the steps' order."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.procedures.versions import form_keys_in_order, get_current_version
from tests.procedures.steps import act_ok, upload
from tests.support.web import PDF_BYTES, WebUser
from tests.web.test_display_and_language import dereg_by_new_employer
from tests.web.test_pages import REASON, case_number, field_errors, lock_value, review_path, start

APPLICATION = "解锁申请表（加盖企业公章，履职变更须另有建设、监理单位盖章）扫描件"
PROOF = "其他证明材料"


def section(html: str, heading_id: str) -> str:
    """The page's card whose heading has that id (up to the card's end)."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def listed(files: str) -> list[str]:
    """The file names the attachments section links, in order."""
    return re.findall(r'data-attachment="[0-9a-f-]+">([^<]+)</a>', files)


def attachment_id(html: str, filename: str) -> str:
    return re.search(rf'data-attachment="([0-9a-f-]+)">{re.escape(filename)}<', html).group(1)  # type: ignore


def test_the_attachments_are_those_submitted_by_field_with_replaced_and_unsubmitted_ones_apart(
        web: Callable[[str], WebUser]) -> None:
    ent, city = web("ent-nanning"), web("city-nanning")
    case_id, task_path = start(ent)
    lock = lock_value(ent.html(task_path))
    refused = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock, "reason": "太短"},
                              {"application_files__upload": (PDF_BYTES, "被退回时上传.pdf")})
    assert refused.status_code == 422  # the upload is kept on the case, but this file is never submitted
    first = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock, "reason": REASON},
                            {"application_files__upload": (PDF_BYTES, "申请表.pdf"),
                             "proof_files__upload": (PDF_BYTES, "证明.pdf")})
    assert first.status_code == 302, field_errors(first.get_data(as_text=True))
    number = case_number(ent, case_id)
    review = review_path(city, number)
    assert city.post(review + "/claim").status_code == 302
    assert city.post(review, {"decision": "reject", "comment": "申请表缺少监理单位盖章",
                              "reject_ground": "materials_deficient",
                              "deficient_materials": "application_files"}).status_code == 302
    amend = re.search(r'href="(/tasks/[0-9a-f-]+)">办理', ent.html("/")).group(1)  # type: ignore[union-attr]
    proof = re.search(r'name="proof_files" value="([0-9a-f-]+)" checked', ent.html(amend)).group(1)  # type: ignore
    second = ent.upload_form(amend, {"kind": "duty_change", "lock_ids": lock, "reason": REASON,
                                     "proof_files": proof},  # the proof is kept, the application form replaced
                             {"application_files__upload": (PDF_BYTES, "盖章申请表.pdf")})
    assert second.status_code == 302, field_errors(second.get_data(as_text=True))

    for viewer in (ent, city):
        files = section(viewer.html(f"/cases/{case_id}"), "files-heading")
        assert files.index(APPLICATION) < files.index(PROOF)  # by field, in the form's order
        application, proof_part = files.split(APPLICATION, 1)[1].split(PROOF, 1)
        assert listed(application) == ["盖章申请表.pdf", "申请表.pdf"]  # the current file, then the replaced one
        replaced = application.split('data-replaced="true"', 1)[1]
        assert "已被替换" in replaced and "第 1 次提交" in replaced and "填写解锁申请" in replaced
        assert application.count('data-replaced="true"') == 1
        assert listed(proof_part.split("<details", 1)[0]) == ["证明.pdf"]  # kept in both rounds: once, current
    ent_files = section(ent.html(f"/cases/{case_id}"), "files-heading")
    city_files = section(city.html(f"/cases/{case_id}"), "files-heading")
    unsubmitted = ent_files.split('data-testid="unsubmitted-files"', 1)[1]
    assert "未随申请提交的附件（1）" in unsubmitted and listed(unsubmitted) == ["被退回时上传.pdf"]
    assert "上传于 " in unsubmitted and '<details class="mt-3" data-testid="unsubmitted-files">' in ent_files  # closed
    assert "被退回时上传.pdf" not in city_files and "unsubmitted-files" not in city_files
    assert len(listed(ent_files)) == 4 and len(listed(city_files)) == 3

    # Downloads follow the list: a submitted file (a replaced one too) for everyone who sees the case; an upload
    # never submitted for its own side only (the other side gets 404, as for a file that does not exist).
    never_sent = attachment_id(ent_files, "被退回时上传.pdf")
    old_form = attachment_id(city_files, "申请表.pdf")
    for viewer in (ent, city):
        response = viewer.get(f"/cases/{case_id}/attachments/{old_form}")
        assert response.status_code == 200 and response.data == PDF_BYTES
    assert ent.get(f"/cases/{case_id}/attachments/{never_sent}").data == PDF_BYTES
    assert city.get(f"/cases/{case_id}/attachments/{never_sent}").status_code == 404
    assert web("city-liuzhou").get(f"/cases/{case_id}/attachments/{never_sent}").status_code == 404

    ent.get("/lang/en")
    english = section(ent.html(f"/cases/{case_id}"), "files-heading")
    assert "Replaced" in english and "submission 1" in english
    assert "Attachments not submitted with the application (1)" in english and "uploaded " in english


def test_uploads_sent_by_the_api_alone_stay_with_the_applicant(web: Callable[[str], WebUser],
                                                               as_user: Any) -> None:
    ent = web("ent-nanning")
    case_id, task_path = start(ent)
    upload(as_user("ent-nanning"), case_id, "草稿附件.pdf")  # the API's first call; its form is never sent
    own = section(ent.html(f"/cases/{case_id}"), "files-heading")
    assert listed(own) == ["草稿附件.pdf"] and "未随申请提交的附件（1）" in own and "暂无附件" not in own
    assert "data-replaced" not in own
    sent = ent.upload_form(task_path, {"kind": "duty_change", "lock_ids": lock_value(ent.html(task_path)),
                                       "reason": REASON}, {"application_files__upload": (PDF_BYTES, "申请表.pdf")})
    assert sent.status_code == 302, field_errors(sent.get_data(as_text=True))
    city_page = web("city-nanning").html(f"/cases/{case_id}")
    assert listed(section(city_page, "files-heading")) == ["申请表.pdf"]
    assert "草稿附件.pdf" not in city_page  # not even its name in the timeline
    assert "草稿附件.pdf" in ent.html(f"/cases/{case_id}").split('data-testid="timeline"')[1]
    assert listed(section(ent.html(f"/cases/{case_id}"), "files-heading")) == ["申请表.pdf", "草稿附件.pdf"]


def submitted_labels(html: str) -> list[str]:
    return re.findall(r"<dt[^>]*>([^<]+)</dt>", section(html, "data-heading"))


def test_submitted_fields_follow_the_procedures_steps(web: Callable[[str], WebUser], as_user: Any) -> None:
    ent, case_id = dereg_by_new_employer(web)
    applicant = as_user("ent-liuzhou")
    act_ok(applicant, case_id, {"statement": "原单位拒绝出具离职证明，也不在系统中办理注销",
                                "application_files": [upload(applicant, case_id, "注销申请书.pdf")],
                                "separation_files": [upload(applicant, case_id, "劳动仲裁裁决书.pdf")],
                                "id_card_files": [upload(applicant, case_id, "身份证.pdf")],
                                "new_employment_files": [upload(applicant, case_id, "劳动合同.pdf")],
                                "paper_delivery": "counter"})
    act_ok(as_user("city-nanning"), case_id, {"decision": "reject", "comment": "劳动合同缺少签字页"})
    labels = submitted_labels(ent.html(f"/cases/{case_id}"))
    start_form = ["注销方式", "注销人员（本单位人员；个人申请时为本人）", "注销人员身份证号码（新单位申请时填写）",
                  "注销人员姓名（新单位申请时填写）", "离职日期"]
    assert labels[:len(start_form)] == start_form  # the start form first, in its own order
    statement = labels.index("原单位不配合注销的情况说明")
    assert statement == len(start_form)
    assert labels[statement + 1:statement + 6] == [
        "人员注销申请书（本人签字或新单位盖章）",
        "解除（终止）劳动关系证明（离职证明、辞职申请及送达凭证、劳动仲裁裁决书或法院判决书）",
        "本人身份证复印件", "与新单位签订的劳动合同（新单位申请时必须）", "纸质材料递交方式"]
    assert labels[-2:] == ["审核结论", "审核意见"]  # the review after the application


def test_forms_are_ordered_by_the_diagrams_flow(app: Flask) -> None:
    with app.app_context():
        # A gateway's branches before what follows them (not one branch to its end first).
        assert form_keys_in_order(get_current_version("data_upgrade_b_to_a").id) == [
            "upgrade_b_start", "upgrade_b_verify_mode", "upgrade_verification_record", "upgrade_b_city_check",
            "upgrade_b_confirm"]
        assert form_keys_in_order(get_current_version("personnel_deregistration").id) == [
            "dereg_start", "dereg_application", "dereg_review"]
        assert form_keys_in_order(get_current_version("personnel_unlock").id) == ["unlock_request", "unlock_review"]


def test_the_timeline_names_each_actor_with_the_organisation_and_the_engine_as_system(
        web: Callable[[str], WebUser], app: Flask) -> None:
    ent = web("ent-nanning")
    case_id, _task_path = start(ent)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "ent-nanning")).one()
        applicant = f"{user.display_name}（{user.organisation.name}）"
    actors = re.findall(r'data-testid="event-actor">([^<]+)<', ent.html(f"/cases/{case_id}"))
    assert applicant in actors  # who started the case and claimed its form, with the enterprise's name
    assert set(actors) <= {applicant, "系统"}  # nobody else acted yet
