"""Who may upload to a case: the applicant side and whoever holds an open task of it, not all who see it;
stored names end as their detected type."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from app.db import unit_of_work
from app.models import Role
from app.services.identity.accounts import create_user, get_user_by_username
from tests.api.test_case_lifecycle import start_and_submit
from tests.support.api import PDF_BYTES, ApiUser

JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"0" * 64
OFFICIALS_WHO_SEE_IT = ("city-nanning", "province", "supervisor", "admin")


def _refused(user: ApiUser, case_id: int) -> None:
    response = user.upload(case_id)
    assert response.status_code == 403, (user.username, response.status_code, response.json)
    assert response.json["code"] == "upload_not_allowed"
    assert response.json["message"] == "只有申请人或当前环节的办理人可以上传附件"


def test_while_the_case_is_with_the_applicant_only_the_applicant_side_uploads(
        as_user: Callable[[str], ApiUser], app: Flask) -> None:
    ent = as_user("ent-nanning")
    case = ent.start("personnel_unlock").json
    with app.app_context(), unit_of_work():
        starter = get_user_by_username("ent-nanning")
        create_user("ent-nanning-2", "邕城建设·经办人二", "x-Passw0rd!", starter.organisation_id,
                    starter.region_code, [Role.ENTERPRISE.value])
    colleague = as_user("ent-nanning-2")
    for name in OFFICIALS_WHO_SEE_IT:  # a draft not yet submitted: they do not even see it
        official = as_user(name)
        assert official.get(f"/api/v1/cases/{case['id']}").status_code == 404
        assert official.upload(case["id"]).status_code == 404
    assert ent.upload(case["id"]).status_code == 201
    assert colleague.upload(case["id"]).status_code == 201  # a candidate of the open applicant task
    assert len(ent.get(f"/api/v1/cases/{case['id']}/attachments").json) == 2


def test_the_reviewer_holding_the_open_task_uploads_others_do_not(as_user: Callable[[str], ApiUser],
                                                                  app: Flask) -> None:
    ent, city, province = as_user("ent-nanning"), as_user("city-nanning"), as_user("province")
    case_id, _ = start_and_submit(ent)
    with app.app_context(), unit_of_work():
        starter, reviewer = get_user_by_username("ent-nanning"), get_user_by_username("city-nanning")
        create_user("ent-nanning-2", "邕城建设·经办人二", "x-Passw0rd!", starter.organisation_id,
                    starter.region_code, [Role.ENTERPRISE.value])
        create_user("city-nanning-2", "南宁市住建局·审核人员二", "x-Passw0rd!", reviewer.organisation_id,
                    reviewer.region_code, [Role.CITY_REVIEWER.value])
    colleague = as_user("city-nanning-2")
    review = city.task_for(case_id)
    assert review is not None and colleague.task_for(case_id) is not None
    assert city.upload(case_id, filename="核查报告.pdf").status_code == 201  # candidate, unclaimed
    assert city.claim(review["id"]).status_code == 200
    assert city.upload(case_id).status_code == 201  # assignee
    _refused(colleague, case_id)  # a candidate of a task someone else holds
    for name in ("province", "supervisor", "admin"):
        _refused(as_user(name), case_id)
    assert as_user("analyst").upload(case_id).status_code == 404  # an analyst does not read cases at all
    _refused(as_user("ent-nanning-2"), case_id)  # the applicant's colleague: no open task of his now
    assert ent.upload(case_id).status_code == 201  # the applicant who started it may add material
    assert city.post(f"/api/v1/tasks/{review['id']}/unclaim").status_code == 200
    assert city.upload(case_id).status_code == 201  # a candidate again while nobody holds it
    _refused(province, case_id)


def _download(user: ApiUser, case_id: int, attachment_id: str) -> Any:
    return user.get(f"/api/v1/cases/{case_id}/attachments/{attachment_id}")


def test_the_stored_and_served_name_ends_as_the_detected_type(as_user: Callable[[str], ApiUser]) -> None:
    ent = as_user("ent-nanning")
    case_id = ent.start("personnel_unlock").json["id"]
    polyglot = ent.upload(case_id, PDF_BYTES + b"<html><script>alert(1)</script></html>", "poly.html")
    assert polyglot.status_code == 201, polyglot.json
    assert polyglot.json["filename"] == "poly.pdf" and polyglot.json["content_type"] == "application/pdf"
    served = _download(ent, case_id, polyglot.json["id"])
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    disposition = served.headers["Content-Disposition"]
    assert "poly.pdf" in disposition and ".html" not in disposition
    assert served.headers["X-Content-Type-Options"] == "nosniff" and served.headers["Cache-Control"] == "no-store"
    named = {"照片.png": "照片.jpg", "扫描件.JPEG": "扫描件.JPEG", "现场照片.jpg": "现场照片.jpg",
             "无后缀": "无后缀.jpg", "../../etc/x.svg": "x.jpg"}
    for sent, stored in named.items():
        response = ent.upload(case_id, JPEG_BYTES, sent)
        assert response.status_code == 201 and response.json["filename"] == stored, (sent, response.json)
