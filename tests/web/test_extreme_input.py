"""Extreme input through the pages: dates far off the calendar (9999-12-31 typed for "no end date"), digits that
are not ASCII ("²", full-width "１") and ids beyond the id columns: a sensible page, never a 500."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.integrations.standin import StandIn
from app.models import CalendarDay, EnterpriseRegistration, Person, User
from app.services.demo import credit_code, id_number
from app.services.identity.accounts import get_user_by_username
from app.services.notifications import Note, notify
from tests.services.test_deadlines_calendar import _submit_unlock
from tests.support.web import WebUser
from tests.web.test_registration_and_operators import _post

FAR = ("9999-12-31", "0001-01-01")
WIDE = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}  # full-width, as IMEs type them


def _received_case(app: Flask, as_user: Any) -> str:
    ent = as_user("ent-nanning")
    return str(ent.case(_submit_unlock(app, ent))["number"])


def test_an_open_ended_search_date_is_taken_as_no_bound(app: Flask, web: Callable[[str], WebUser],
                                                        as_user: Any) -> None:
    number = _received_case(app, as_user)
    ent = web("ent-nanning")
    for query in ("to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"):
        response = ent.get(f"/cases?{query}")
        assert response.status_code == 200, query
        assert f'data-case-number="{number}"' in response.get_data(as_text=True), query
        export = ent.get(f"/cases/export.csv?{query}")
        assert export.status_code == 200 and number in export.get_data(as_text=True), query
    assert ent.get("/cases/export.xlsx?from=0001-01-01").status_code == 200
    assert f'data-case-number="{number}"' not in ent.html("/cases?from=9999-12-31")  # a lower bound far ahead


def test_the_audit_log_searches_and_exports_up_to_a_far_date(web: Callable[[str], WebUser]) -> None:
    auditor = web("auditor")
    for query in ("last=9999-12-31", "first=0001-01-01", "first=0001-01-01&last=9999-12-31"):
        page = auditor.get(f"/audit?{query}")
        assert page.status_code == 200 and "<code>sign_in" in page.get_data(as_text=True), query
        export = auditor.get(f"/audit/export.csv?{query}")
        assert export.status_code == 200 and "sign_in" in export.get_data(as_text=True), query


def test_a_calendar_day_off_the_calendar_is_refused(app: Flask, web: Callable[[str], WebUser]) -> None:
    admin = web("admin")
    for day in FAR:
        for kind in ("holiday", "clear"):
            response = admin.post("/admin/calendar/days", {"day": day, "kind": kind, "name": "永久", "year": "2031"})
            assert response.status_code == 302, (day, kind)
            assert "日期应在 2000-01-01 至 2099-12-31 之间" in admin.html(response.headers["Location"]), (day, kind)
    with app.app_context():
        assert db.session.scalar(select(CalendarDay).where(CalendarDay.name == "永久")) is None


def test_notices_marked_read_by_ids_not_ascii_or_too_large_mark_nothing(app: Flask,
                                                                         web: Callable[[str], WebUser]) -> None:
    with app.app_context(), unit_of_work():
        notify([get_user_by_username("ent-nanning")], Note("test_notice", "一条提醒", key="extreme"))
    ent = web("ent-nanning")
    for bad in ("²", "３", "3000000000", "9" * 30, "x"):
        response = ent.post("/notifications/read", {"id": bad})
        assert response.status_code == 302, bad
    assert 'class="list-group-item fw-bold" data-kind="test_notice"' in ent.html("/notifications")  # still unread
    assert ent.post("/notifications/read").status_code == 302  # 全部标为已读
    assert 'class="list-group-item " data-kind="test_notice"' in ent.html("/notifications")


def test_spot_check_numbers_in_other_digits_are_refused_by_field(web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    for path in ("/spot-checks/preview", "/spot-checks/draw"):
        response = city.post(path, {"sample_size": "1", "exclude_months": "²", "seed": "web"})
        assert response.status_code == 422, path
        assert "排除近期已抽查企业的月数应在 0 至 36 之间" in response.get_data(as_text=True)
        response = city.post(path, {"sample_size": "１", "exclude_months": "6", "seed": "web"})
        assert response.status_code == 422 and "抽查数量应在 1 至 50 之间" in response.get_data(as_text=True)


def test_an_integrity_enterprise_id_in_other_digits_shows_the_list(web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    for wanted in ("³", "１", "3000000000"):
        response = city.get(f"/integrity?enterprise_id={wanted}")
        assert response.status_code == 200, wanted


def _phone(app: Flask, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.phone).where(User.username == username))


def test_an_operator_phone_in_full_width_digits_is_stored_in_ascii(app: Flask, web: Callable[[str], WebUser]) -> None:
    main = web("ent-nanning")
    added = main.post("/enterprise/operators", {"username": "yc-wide", "display_name": "覃经办",
                                                "phone": "1390000200１", "password": "Clerk-Passw0rd"})
    assert added.status_code == 302, added.get_data(as_text=True)
    assert _phone(app, "yc-wide") == "13900002001"
    refused = main.post("/enterprise/operators", {"username": "yc-arabic", "display_name": "覃经办",
                                                  "phone": "1390000200١", "password": "Clerk-Passw0rd"})
    assert refused.status_code == 422 and "请填写 11 位手机号" in refused.get_data(as_text=True)
    assert _phone(app, "yc-arabic") is None  # no such account


def test_an_account_phone_in_full_width_digits_is_stored_in_ascii(app: Flask, web: Callable[[str], WebUser]) -> None:
    admin = web("admin")
    created = admin.post("/admin/accounts/new", {"username": "gl-wide", "display_name": "桂林审核员",
                                                 "phone": "1３９００００３００１", "region_code": "450300",
                                                 "roles": ["city_reviewer"]})
    assert created.status_code == 200, created.get_data(as_text=True)
    assert _phone(app, "gl-wide") == "13900003001"


def test_the_task_inbox_filters_up_to_a_far_date(web: Callable[[str], WebUser]) -> None:
    city = web("city-nanning")
    for query in ("to=9999-12-31", "from=0001-01-01"):
        assert city.get(f"/tasks?{query}").status_code == 200, query


def test_registration_identifiers_in_full_width_digits_are_stored_in_ascii(app: Flask, standin: StandIn) -> None:
    code, legal_id = credit_code("91450300MA5NEW002"), id_number("45030219700101123")
    client = app.test_client()
    started = _post(client, "/register/enterprise", {
        "credit_code": code.translate(WIDE), "name": "桂林漓江建设有限公司", "enterprise_type": "建筑业企业",
        "region_code": "450300", "legal_representative": "蒋立", "legal_representative_id": legal_id.translate(WIDE),
        "method": "face"})
    assert started.status_code == 302, started.get_data(as_text=True)
    authorised = _post(client, "/register/enterprise/authorise", {"operator_name": "李主管",
                                                                  "operator_phone": "13800771234".translate(WIDE)})
    assert authorised.status_code == 200 and "138****1234" in authorised.get_data(as_text=True)
    person_id = id_number("45010219950505007")
    individual = _post(app.test_client(), "/register/individual", {
        "name": "韦明", "id_number": person_id.translate(WIDE), "phone": "1397711000０", "username": "weiming",
        "password": "Qiye-Passw0rd-1", "password2": "Qiye-Passw0rd-1"})
    assert individual.status_code == 302, individual.get_data(as_text=True)
    with app.app_context():
        registration = db.session.scalars(select(EnterpriseRegistration)).one()
        assert (registration.credit_code, registration.operator_phone) == (code, "13800771234")
        assert db.session.scalar(select(Person.id).where(Person.id_number_is(person_id))) is not None
        assert _phone(app, "weiming") == "13977110000"


def test_the_workspace_takes_numbers_in_other_digits_as_none(web: Callable[[str], WebUser]) -> None:
    """The analyst's pages: a version, a version replaced, an applicant or a case named in "²" or "３"."""
    analyst = web("analyst")
    unlock = "/workspace/personnel_unlock"
    for bad in ("²", "3000000000"):
        created = analyst.post(f"{unlock}/drafts", {"version": bad, "title": "草稿"})
        assert created.status_code == 302, bad
        draft = created.headers["Location"]
        assert analyst.get(f"{draft}/sandbox?applicant_id={bad}").status_code == 200, bad
        deployed = analyst.post(f"{draft}/deploy", {"note": "上线", "replacing": bad})
        assert deployed.status_code < 500, bad
        migrated = analyst.post(f"{unlock}/migration", {"action": "migrate", "case_id": bad, "from_version": "1",
                                                        "to_version": "1"})
        assert migrated.status_code == 200 and 'role="alert"' in migrated.get_data(as_text=True), bad
