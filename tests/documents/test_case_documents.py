"""The documents of a case as PDF: 受理通知书 on receipt, 补正告知书 with the one-time list, 不予…决定书 with its
reasons and the ways to appeal, 办结通知; numbered per year and issuer, downloaded by whoever sees the case,
checked publicly by their code. The tests read the text back out of the PDF (pypdf)."""
from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from freezegun import freeze_time
from pypdf import PdfReader
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import AuditEntry, CaseDocument, Organisation, OrganisationKind, Person
from tests.notifications.test_applicant_notices import _unlock_submitted
from tests.procedures.steps import act_ok, upload
from tests.procedures.test_data_upgrade_b_to_a import B_PROJECT, start_case
from tests.support.deadlines import local
from tests.support.web import WebUser

APPLICANT = "广西邕城建设集团有限公司"


def documents_of(app: Flask, case_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        return [{"id": d.id, "kind": d.kind, "title": d.title, "number": d.number, "issuer": d.issuer_name,
                 "code": d.verification_code, "sequence": d.sequence}
                for d in db.session.scalars(select(CaseDocument).where(CaseDocument.case_id == case_id)
                                            .order_by(CaseDocument.id))]


def pdf_text(content: bytes) -> str:
    """The PDF's text with the layout's line breaks and spaces taken out."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def download(user: WebUser, case_id: int, document_id: int) -> str:
    response = user.get(f"/cases/{case_id}/documents/{document_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return pdf_text(response.data)


def _resubmit(ent: Any, case_id: int) -> None:
    act_ok(ent, case_id, {"kind": "penalty", "lock_ids": ent.case(case_id)["data"]["lock_ids"],
                          "reason": "补充说明：处罚决定已生效，原项目经理不得继续履职",
                          "application_files": [upload(ent, case_id, "解锁申请表（盖章）.pdf")],
                          "penalty_files": [upload(ent, case_id, "处罚决定书清晰版.pdf")]})


def test_the_four_documents_of_an_unlock_are_pdfs_with_the_case_s_data(app: Flask, as_user: Any) -> None:
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    with freeze_time(local("2026-11-02 10:00")) as clock:
        case_id = _unlock_submitted(app, ent)
        act_ok(city, case_id, {"decision": "return", "comment": "处罚决定书不清晰，申请表缺公章",
                               "missing_items": ["penalty_files", "application_files"]})
        clock.move_to(local("2026-11-03 10:00"))
        _resubmit(ent, case_id)
        act_ok(city, case_id, {"decision": "reject", "comment": "处罚决定书载明的人员与申请人员不符",
                               "reject_ground": "materials_deficient", "deficient_materials": ["penalty_files"]})
        clock.move_to(local("2026-11-04 10:00"))
        _resubmit(ent, case_id)
        act_ok(city, case_id, {"decision": "approve"})
    number = ent.case(case_id)["number"]
    documents = documents_of(app, case_id)
    assert [(d["kind"], d["title"]) for d in documents] == [
        ("acceptance", "受理通知书"), ("supplement", "补正告知书"), ("refusal", "不予解锁决定书"),
        ("acceptance", "受理通知书"), ("completion", "办结通知")]  # amended after the refusal: received anew
    again = documents.pop(3)
    assert {d["issuer"] for d in documents} == {"南宁市住房和城乡建设局"}
    assert re.fullmatch(r"南宁住建受〔2026〕\d+号", documents[0]["number"])

    user = WebUser(app, "ent-nanning").login()
    html = user.html(f"/cases/{case_id}")
    assert all(d["number"] in html for d in documents)
    acceptance, supplement, refusal, done = (download(user, case_id, d["id"]) for d in documents)
    for text, document in zip((acceptance, supplement, refusal, done), documents, strict=True):
        assert document["title"] in text and document["number"] in text and document["code"] in text
        assert number in text and APPLICANT in text and "南宁市住房和城乡建设局" in text
        assert "项目人员解锁：陆伟" in text
    assert "2026年11月2日提交" in acceptance and "予以受理" in acceptance and "法定办理时限为3个工作日" in acceptance
    # issued on arrival, before any review: it does not find the materials complete, which the 补正告知书 denies
    assert "材料齐全" not in acceptance and "经审查" not in acceptance and "申请材料不齐全" in supplement
    assert "一次性告知需要补正的全部内容" in supplement and "1.行政处罚决定书" in supplement
    assert "2.解锁申请表" in supplement and "处罚决定书不清晰，申请表缺公章" in supplement
    assert "请于2026年11月16日前（10个工作日内）" in supplement
    assert "本机关决定：不予解锁" in refusal and "理由：材料不符合要求。处罚决定书载明的人员与申请人员不符" in refusal
    assert "六十日内向南宁市人民政府申请行政复议" in refusal and "六个月内依法向人民法院提起行政诉讼" in refusal
    assert "办理结果：同意解锁" in done and "2026年11月4日办理完毕" in done
    renewed = download(user, case_id, again["id"])
    assert "2026年11月4日提交" in renewed and "予以受理" in renewed and again["number"] != documents[0]["number"]


def test_numbers_run_per_issuer_and_the_province_numbers_its_own(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    first, second = _unlock_submitted(app, ent, "陆伟"), _unlock_submitted(app, ent, "覃丽")
    [a], [b] = documents_of(app, first), documents_of(app, second)
    assert b["sequence"] == a["sequence"] + 1 and a["number"] != b["number"]
    upgrade = start_case(ent, "data_upgrade_b_to_a", B_PROJECT)  # received by the province when it starts
    [province] = documents_of(app, upgrade["id"])
    assert province["issuer"] == "广西壮族自治区住房和城乡建设厅"
    assert re.fullmatch(r"桂建受〔\d{4}〕\d+号", province["number"])


def test_a_region_without_an_authority_on_record_issues_in_the_region_s_name(app: Flask, as_user: Any) -> None:
    """No authority of the receiving region in the register: the 受理通知书 is issued by the region's
    住房和城乡建设主管部门, and still numbered by the region."""
    with app.app_context(), unit_of_work():
        db.session.scalar(select(Organisation).where(
            Organisation.name == "南宁市住房和城乡建设局")).kind = OrganisationKind.PLATFORM
    [acceptance] = documents_of(app, _unlock_submitted(app, as_user("ent-nanning")))
    assert acceptance["issuer"] == "南宁市住房和城乡建设主管部门"
    assert re.fullmatch(r"南宁住建受〔\d{4}〕\d+号", acceptance["number"])


def test_only_who_sees_the_case_downloads_its_documents(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _unlock_submitted(app, ent)
    other_case = _unlock_submitted(app, ent, "覃丽")
    [document] = documents_of(app, case_id)
    assert WebUser(app, "city-nanning").login().get(f"/cases/{case_id}/documents/{document['id']}.pdf").status_code \
        == 200
    outsider = WebUser(app, "ent-liuzhou").login()
    assert outsider.get(f"/cases/{case_id}/documents/{document['id']}.pdf").status_code == 404
    owner = WebUser(app, "ent-nanning").login()
    assert owner.get(f"/cases/{other_case}/documents/{document['id']}.pdf").status_code == 404  # not that case's
    assert app.test_client().get(f"/cases/{case_id}/documents/{document['id']}.pdf").status_code in (302, 401)
    with app.app_context():  # the reader's download is in the audit log, the refused ones are not
        downloads = db.session.execute(select(AuditEntry.actor_name, AuditEntry.object_id).where(
            AuditEntry.action == "document.downloaded")).all()
    assert [tuple(row) for row in downloads] == [("city-nanning", document["number"])]


def test_the_public_verification_confirms_number_issuer_and_date_only(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _unlock_submitted(app, ent)
    [document] = documents_of(app, case_id)
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{document['code']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert document["number"] in html and "南宁市住房和城乡建设局" in html and "受理通知书" in html
    number = ent.case(case_id)["number"]
    for personal in (APPLICANT, "陆伟", number):
        assert personal not in html
    typed = anonymous.get(f"/verify?code={document['code'].replace('-', '').lower()}")
    assert document["number"] in typed.get_data(as_text=True)
    assert anonymous.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404


def test_the_api_lists_the_documents_and_serves_their_pdf(app: Flask, as_user: Any) -> None:
    ent = as_user("ent-nanning")
    case_id = _unlock_submitted(app, ent)
    listed = ent.get(f"/api/v1/cases/{case_id}/documents")
    assert listed.status_code == 200
    [document] = listed.json
    assert document["kind"] == "acceptance" and document["title"] == "受理通知书" and document["sha256"] is None
    pdf = ent.get(f"/api/v1/cases/{case_id}/documents/{document['id']}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert document["number"] in pdf_text(pdf.data)
    assert ent.get(f"/api/v1/cases/{case_id}/documents").json[0]["sha256"]  # kept once rendered
    outsider = as_user("ent-liuzhou")
    assert outsider.get(f"/api/v1/cases/{case_id}/documents").status_code == 404
    refused = outsider.get(f"/api/v1/cases/{case_id}/documents/{document['id']}")
    assert refused.status_code == 404 and refused.json["code"] == "case_not_found"


def test_a_case_no_authority_receives_gets_no_acceptance_notice(app: Flask, as_user: Any) -> None:
    """An employer deregisters its own person at once: no authority received anything, nothing is issued."""
    ent = as_user("ent-nanning")
    with app.app_context():
        liang = db.session.scalar(select(Person.id).where(Person.name == "梁海"))
    started = ent.start("personnel_deregistration", {"mode": "employer", "person_id": liang,
                                                     "leave_date": "2026-11-20", "reason": "合同期满离职"})
    assert started.status_code == 201 and started.json["status"] == "completed"
    assert documents_of(app, started.json["id"]) == []


def test_a_document_prints_an_id_number_or_phone_in_the_reviewer_s_comment_masked(app: Flask, as_user: Any) -> None:
    """As the case page, the API and the notices show it: the PDF is what the enterprise's operators print."""
    ent, city = as_user("ent-nanning"), as_user("city-nanning")
    case_id = _unlock_submitted(app, ent)
    act_ok(city, case_id, {"decision": "return", "comment": "请补充陆伟（450103199001011238，13907710101）的证明",
                           "missing_items": ["application_files"]})
    _resubmit(ent, case_id)
    act_ok(city, case_id, {"decision": "approve", "comment": "同意。覃丽身份证450103199001011238，手机13907710101"})
    user = WebUser(app, "ent-nanning").login()
    texts = [download(user, case_id, d["id"]) for d in documents_of(app, case_id)[1:]]
    assert len(texts) == 2
    for text in texts:
        assert "450103199001011238" not in text and "13907710101" not in text
        assert "4501**********1238" in text and "139****0101" in text
    assert ent.case(case_id)["data"]["comment"].count("4501**********1238") == 1  # as the API shows it
