"""Attachments: type by content, size limit, checksum, download only for those who see the case."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from flask import Flask

from tests.support.api import PDF_BYTES, ApiUser

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_upload_then_download_returns_the_same_bytes(as_user: Callable[[str], ApiUser],
                                                     review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    uploaded = ent.upload(case["id"], PNG_BYTES, "现场照片.png")
    assert uploaded.status_code == 201, uploaded.json
    body = uploaded.json
    assert body["content_type"] == "image/png" and body["size"] == len(PNG_BYTES)
    assert body["sha256"] == hashlib.sha256(PNG_BYTES).hexdigest() and body["filename"] == "现场照片.png"
    download = ent.get(f"/api/v1/cases/{case['id']}/attachments/{body['id']}")
    assert download.status_code == 200 and download.data == PNG_BYTES
    assert [a["id"] for a in ent.get(f"/api/v1/cases/{case['id']}/attachments").json] == [body["id"]]
    assert "attachment_uploaded" in [e["kind"] for e in ent.case(case["id"])["history"]]


def test_wrong_type_and_oversize_uploads_are_refused_in_chinese(as_user: Callable[[str], ApiUser], app: Flask,
                                                                review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    exe = ent.upload(case["id"], b"MZ\x90\x00 not a document", "报告.pdf")  # the name lies, the bytes don't
    assert exe.status_code == 422 and exe.json["code"] == "upload_type_refused"
    assert "PDF" in exe.json["message"]
    app.config["MAX_UPLOAD_BYTES"] = 1024
    big = ent.upload(case["id"], PDF_BYTES + b"0" * 2048, "大文件.pdf")
    assert big.status_code == 422 and big.json["code"] == "upload_too_large"
    missing = ent.client.post(f"/api/v1/cases/{case['id']}/attachments", headers=ent.headers, data={},
                              content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.json["code"] == "upload_missing"
    assert ent.get(f"/api/v1/cases/{case['id']}/attachments").json == []


def test_outsiders_cannot_upload_or_download(as_user: Callable[[str], ApiUser], review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    attachment = ent.upload(case["id"]).json
    for outsider in (as_user("ent-liuzhou"), as_user("city-liuzhou")):
        assert outsider.get(f"/api/v1/cases/{case['id']}/attachments/{attachment['id']}").status_code == 404
        assert outsider.upload(case["id"]).status_code == 404


def test_a_form_refuses_attachment_ids_of_another_case_or_type(as_user: Callable[[str], ApiUser],
                                                               review_procedure: str) -> None:
    ent = as_user("ent-nanning")
    first, second = ent.start(review_procedure).json, ent.start(review_procedure).json
    foreign = ent.upload(second["id"]).json["id"]
    png = ent.upload(first["id"], PNG_BYTES, "照片.png").json["id"]
    task_id = first["open_tasks"][0]["id"]
    response = ent.complete(task_id, {"title": "材料", "amount": 1, "files": [foreign]})
    assert response.status_code == 422
    assert response.json["details"]["fields"]["files"] == "附件不存在或不属于本办件，请重新上传"
    response = ent.complete(task_id, {"title": "材料", "amount": 1, "files": [png]})
    assert response.json["details"]["fields"]["files"].startswith("附件类型不符合要求")
    pdf = ent.upload(first["id"]).json["id"]
    response = ent.complete(task_id, {"title": "材料", "amount": 1, "files": [pdf] * 40_000})
    assert response.status_code == 422 and response.json["details"]["fields"]["files"] == "每项最多上传 20 个附件"
    response = ent.complete(task_id, {"title": "材料", "amount": 1, "files": [pdf, pdf]})
    assert response.json["details"]["fields"]["files"] == "同一附件不能重复提交"
    assert ent.complete(task_id, {"title": "材料", "amount": 1, "files": [pdf]}).status_code == 200


def test_the_files_of_one_case_are_limited_together(as_user: Callable[[str], ApiUser], app: Flask,
                                                    review_procedure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One account could upload file after file to an open case (or a draft) until the disk was full; the
    case's stored files now have a limit together, and deleting an unsent one makes room again."""
    ent = as_user("ent-nanning")
    case = ent.start(review_procedure).json
    file = PDF_BYTES + b"0" * 1000
    monkeypatch.setitem(app.config, "MAX_CASE_UPLOAD_BYTES", 2 * len(file) + 10)
    first, second = (ent.upload(case["id"], file, f"材料{i}.pdf") for i in (1, 2))
    assert first.status_code == second.status_code == 201
    third = ent.upload(case["id"], file, "材料3.pdf")
    assert third.status_code == 422 and third.json["code"] == "case_uploads_full"
    assert "本办件的附件已达总量上限" in third.json["message"]
    deleted = ent.client.delete(f"/api/v1/cases/{case['id']}/attachments/{first.json['id']}", headers=ent.headers)
    assert deleted.status_code == 204
    assert ent.upload(case["id"], file, "材料3.pdf").status_code == 201
