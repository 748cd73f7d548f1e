"""Registration as the notice says, through the pages and the verifier stand-in on 127.0.0.1 (pass, fail,
time out); the main operator manages his own enterprise's operators only; an admin manages the authority
accounts of his region, every change recorded."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import unit_of_work
from app.errors import InvalidForm, NotFound
from app.extensions import db
from app.integrations.sms import MemorySmsGateway
from app.integrations.standin import StandIn
from app.models import AccountChange, EnterpriseRegistration, Organisation, Person, User
from app.services.demo import credit_code, id_number
from app.services.identity.accounts import create_user, get_user_by_username
from app.services.identity.tokens import issue_token
from tests.support.web import WebUser, csrf_token

PASSWORD = "Qiye-Passw0rd-1"
NEW_CODE = credit_code("91450300MA5NEW001")
LEGAL_ID = id_number("45030219700101123")


def _post(client: Any, path: str, data: dict[str, Any], **kw: Any) -> Any:
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def _enterprise_form(method: str = "face", **extra: str) -> dict[str, str]:
    return {"credit_code": NEW_CODE, "name": "桂林漓江建设有限公司", "enterprise_type": "建筑业企业",
            "region_code": "450300", "legal_representative": "蒋立", "legal_representative_id": LEGAL_ID,
            "method": method, **extra}


def _authorise(client: Any, phone: str = "13800771234") -> str:
    page = _post(client, "/register/enterprise/authorise", {"operator_name": "李主管", "operator_phone": phone})
    assert page.status_code == 200, page.get_data(as_text=True)
    link = re.search(r'data-testid="invitation-link">([^<]+)<', page.get_data(as_text=True))
    assert link and f"{phone[:3]}****{phone[-4:]}" in page.get_data(as_text=True)
    assert MemorySmsGateway.shared().last_text(phone) and link.group(1) in (MemorySmsGateway.shared().last_text(phone)
                                                                            or "")
    return urlsplit(link.group(1)).path


def _texts_to(phone: str) -> int:
    return sum(1 for to, _text in MemorySmsGateway.shared().sent if to == phone)


def _first_sign_in(app: Flask, username: str, password: str, new_password: str) -> WebUser:
    """Signed in with a password someone else set: changed on the page he is sent to first."""
    user = WebUser(app, username).login(password)
    first = user.get("/")
    assert first.status_code == 302 and first.headers["Location"] == "/account/password"
    changed = user.post("/account/password", {"current": password, "password": new_password,
                                              "password2": new_password})
    assert changed.status_code == 302, changed.get_data(as_text=True)
    user.token = csrf_token(user.client.get("/", follow_redirects=True).get_data(as_text=True))
    return user


def test_an_enterprise_registers_by_face_and_its_main_operator_signs_in(app: Flask, standin: StandIn) -> None:
    client = app.test_client()
    started = _post(client, "/register/enterprise", _enterprise_form())
    assert started.status_code == 302 and started.headers["Location"].endswith("/register/enterprise/authorise")
    invitation = _authorise(client)
    weak = _post(client, invitation, {"username": "lijiang-main", "password": "weak", "password2": "weak"})
    assert weak.status_code == 422 and "密码长度" in weak.get_data(as_text=True)
    registered = _post(client, invitation, {"username": "lijiang-main", "password": PASSWORD, "password2": PASSWORD})
    assert registered.status_code == 302
    with app.app_context():
        user = get_user_by_username("lijiang-main")
        assert user.main_operator and user.phone == "13800771234" and user.organisation.credit_code == NEW_CODE
        registration = db.session.scalars(select(EnterpriseRegistration)).one()
        assert registration.legal_representative_id_masked == "4503**********" + LEGAL_ID[-4:]
        assert LEGAL_ID not in str(db.session.scalars(select(AccountChange.details)).all())
    assert app.test_client().get(invitation).status_code == 404  # used up
    WebUser(app, "lijiang-main").login(PASSWORD)


def test_the_micro_payment_amount_must_match(app: Flask, standin: StandIn) -> None:
    client = app.test_client()
    started = _post(client, "/register/enterprise", _enterprise_form("bank_transfer", bank_account="6222020000123"))
    assert started.headers["Location"].endswith("/register/enterprise/amount")
    wrong = _post(client, "/register/enterprise/amount", {"amount": "0.99"})
    assert wrong.status_code == 422 and "打款金额不符" in wrong.get_data(as_text=True)
    right = _post(client, "/register/enterprise/amount", {"amount": "0.01"})  # the stand-in sends 0.01 元
    assert right.status_code == 302 and right.headers["Location"].endswith("/register/enterprise/authorise")


def test_a_refusing_or_silent_verifier_verifies_no_one(app: Flask, standin: StandIn) -> None:
    standin.mode = "fail"
    refused = _post(app.test_client(), "/register/enterprise", _enterprise_form())
    assert refused.status_code == 422 and "核验未通过" in refused.get_data(as_text=True)
    standin.mode = "timeout"
    silent = _post(app.test_client(), "/register/enterprise", _enterprise_form())
    assert silent.status_code == 503 and "认证服务暂时不可用" in silent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(EnterpriseRegistration)).all() == []
    assert app.test_client().get("/register/enterprise/authorise").status_code == 404


def test_an_individual_registers_after_the_real_name_check(app: Flask, standin: StandIn) -> None:
    form = {"name": "韦明", "id_number": id_number("45010219950505007"), "phone": "13977110000",
            "username": "weiming", "password": PASSWORD, "password2": PASSWORD}
    standin.mode = "fail"
    assert _post(app.test_client(), "/register/individual", form).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "weiming")) is None
    standin.mode = "pass"
    assert _post(app.test_client(), "/register/individual", form).status_code == 302
    with app.app_context():
        user = get_user_by_username("weiming")
        assert user.roles == {"individual"} and user.organisation.kind == "individual"


def test_the_main_operator_manages_his_own_operators_only(app: Flask) -> None:
    main = WebUser(app, "ent-nanning").login()
    added = main.post("/enterprise/operators", {"username": "yc-clerk", "display_name": "覃经办",
                                                "phone": "13800770001", "password": "Clerk-Passw0rd",
                                                "procedures": ["personnel_unlock"]})
    assert added.status_code == 302, added.get_data(as_text=True)
    with app.app_context():
        clerk = get_user_by_username("yc-clerk")
        clerk_id, org_id = clerk.id, clerk.organisation_id
        assert clerk.allowed_procedures == ["personnel_unlock"] and not clerk.main_operator
    row = main.html("/enterprise/operators").split('data-username="yc-clerk"')[1].split("</tr>")[0]
    assert "138****0001" in row and "已启用" in row
    main.get("/lang/en")  # an account's status, not a deadline's 正常 ("On time")
    english = main.html("/enterprise/operators").split('data-username="yc-clerk"')[1].split("</tr>")[0]
    assert "Active" in english and "On time" not in english
    main.get("/lang/zh")
    clerk_page = _first_sign_in(app, "yc-clerk", "Clerk-Passw0rd", "Yongcheng-Clerk-2")
    assert clerk_page.get("/enterprise/operators").status_code == 403  # not a main operator
    start_page = clerk_page.html("/")
    assert "personnel_unlock" in start_page and "personnel_deregistration" not in start_page
    other = WebUser(app, "ent-liuzhou").login()
    assert other.post(f"/enterprise/operators/{clerk_id}/suspend").status_code == 404  # another enterprise's
    assert main.post(f"/enterprise/operators/{clerk_id}/suspend").status_code == 302
    assert clerk_page.get("/").status_code == 302  # his session ended
    assert main.post(f"/enterprise/operators/{clerk_id}/remove").status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(AccountChange.action).where(AccountChange.target_user_id == clerk_id)
                                          .order_by(AccountChange.id)))
        assert db.session.get(Organisation, org_id) is not None
    assert actions == ["operator_added", "password_changed", "operator_suspended", "operator_removed"]


def test_an_admin_creates_a_city_reviewer_and_changes_him(app: Flask) -> None:
    admin = WebUser(app, "admin").login()
    created = admin.post("/admin/accounts/new", {"username": "gl-reviewer", "display_name": "桂林审核员",
                                                 "phone": "13807730000", "region_code": "450300",
                                                 "roles": ["city_reviewer"]})
    text = created.get_data(as_text=True)
    assert created.status_code == 200, text
    password = re.search(r'data-testid="password-value">([^<]+)<', text)
    assert password
    reviewer = WebUser(app, "gl-reviewer").login(password.group(1))
    first = reviewer.get("/cases")
    assert first.status_code == 302 and first.headers["Location"] == "/account/password"  # temporary password
    changed = reviewer.post("/account/password", {"current": password.group(1), "password": "Guilin-Review-1",
                                                  "password2": "Guilin-Review-1"})
    assert changed.status_code == 302 and reviewer.get("/cases").status_code == 200
    with app.app_context():
        user = get_user_by_username("gl-reviewer")
        assert user.roles == {"city_reviewer"} and user.organisation.name == "桂林市住房和城乡建设局"
        user_id = user.id
    wrong = admin.post(f"/admin/accounts/{user_id}", {"display_name": "桂林审核员", "phone": "13807730000",
                                                      "region_code": "450300", "roles": ["county_reviewer"]})
    assert wrong.status_code == 422 and "级别不符" in wrong.get_data(as_text=True)
    changed = admin.post(f"/admin/accounts/{user_id}", {"display_name": "桂林审核员", "phone": "13807730000",
                                                        "region_code": "450300", "roles": ["city_reviewer", "lead"]})
    assert changed.status_code == 302
    assert reviewer.get("/").status_code == 302  # new rights: signed in again
    with app.app_context(), unit_of_work():
        issue_token(get_user_by_username("gl-reviewer"), name="对接令牌")
    assert admin.post(f"/admin/accounts/{user_id}/suspend").status_code == 302
    log = re.sub(r"<[^>]+>", " ", admin.html(f"/admin/accounts/{user_id}")
                 .split('data-testid="account-changes">')[1].split("</ul>")[0])
    assert "修改账号 · 角色：市级审核人员 → 市级审核人员、科室负责人" in log and "停用账号" in log
    assert "account_changed" not in log and "{" not in log  # titles, not the stored codes and JSON
    tokens = admin.html("/admin/tokens").split("对接令牌")[1].split("</tr>")[0]
    # not 有效: the API refuses it; revoked by the suspension, so that it does not come back with a resumption
    assert 'data-token-state="revoked"' in tokens and "已吊销" in tokens
    with app.app_context():
        changes = list(db.session.scalars(select(AccountChange).where(AccountChange.target_user_id == user_id)
                                          .order_by(AccountChange.id)))
    assert [c.action for c in changes] == ["account_created", "password_changed", "account_changed",
                                           "account_suspended"]
    assert changes[2].details == {"before": {"roles": ["city_reviewer"]}, "after": {"roles": ["city_reviewer", "lead"]}}
    assert all(c.actor_id is not None and c.source_ip == "127.0.0.1" for c in changes)


def test_a_city_admin_reaches_his_city_only(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        org_id = get_user_by_username("city-liuzhou").organisation_id
        create_user("admin-liuzhou", "柳州管理员", "Admin-Passw0rd", org_id, "450200", ["admin"], phone="13807720000")
        nanning_id = get_user_by_username("city-nanning").id
    admin = WebUser(app, "admin-liuzhou").login("Admin-Passw0rd")
    listing = admin.html("/admin/accounts")
    assert "city-liuzhou" in listing and "city-nanning" not in listing
    assert admin.get(f"/admin/accounts/{nanning_id}").status_code == 404
    refused = admin.post("/admin/accounts/new", {"username": "nn-2", "display_name": "x", "phone": "13800000000",
                                                 "region_code": "450100", "roles": ["city_reviewer"]})
    assert refused.status_code == 422
    assert WebUser(app, "city-nanning").login().get("/admin/accounts").status_code == 403


def test_an_authorisation_texts_a_phone_within_its_limits_and_carries_no_typed_text(
        app: Flask, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """Authorising again and again texted any phone without bound, with the enterprise name the applicant typed
    (a phishing sentence) under our sender's 【桂建云】."""
    monkeypatch.setitem(app.config, "SMS_PHONE_LIMITS", ((60, 1), (3600, 10)))  # the defaults
    client = app.test_client()
    phishing = "您的账户存在异常，请立即访问 http://gjy-verify.example 核实。"
    assert _post(client, "/register/enterprise", _enterprise_form(name=phishing)).status_code == 302
    _authorise(client)
    text = MemorySmsGateway.shared().last_text("13800771234") or ""
    assert "gjy-verify" not in text and NEW_CODE in text
    again = _post(client, "/register/enterprise/authorise",
                  {"operator_name": "李主管", "operator_phone": "13800771234"})
    assert again.status_code == 429 and "短信发送过于频繁" in again.get_data(as_text=True)
    assert MemorySmsGateway.shared().last_text("13800771234") == text  # not texted again


def test_names_longer_than_the_pages_allow_are_refused_on_the_server(app: Flask, standin: StandIn) -> None:
    client = app.test_client()
    refused = _post(client, "/register/enterprise", _enterprise_form(name="桂" * 150, legal_representative="蒋" * 60))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "企业名称最多 100 个字符" in page and "姓名最多 50 个字符" in page
    with app.app_context(), pytest.raises(InvalidForm) as raised, unit_of_work():
        create_user("<img src=x>", "名" * 101, "Another-Passw0rd!", get_user_by_username("ent-nanning").organisation_id,
                    "450100", ["enterprise"])
    assert set(raised.value.field_errors) == {"username", "display_name"}


def test_the_individual_registration_tells_no_one_which_id_numbers_are_on_file(app: Flask, standin: StandIn) -> None:
    """A known ID number with any name was answered 该身份证号已注册或与姓名不符 before the real-name check: an
    anonymous oracle for which numbers (and number-name pairs) the platform holds."""
    with app.app_context():
        known = db.session.scalars(select(Person.id_number)).first()
    assert known is not None
    form = {"name": "随便", "id_number": known, "phone": "13977110001", "username": "prober",
            "password": PASSWORD, "password2": PASSWORD}
    standin.mode = "fail"  # the real-name check refuses a made-up name
    page = _post(app.test_client(), "/register/individual", form).get_data(as_text=True)
    assert "实名核验未通过" in page and "已注册" not in page


def test_a_construction_unit_registers_as_one(app: Flask, standin: StandIn) -> None:
    """A 建设单位 registering itself became an ordinary enterprise: 在建项目录入审核 (for construction units alone)
    refused it for ever, and its menu showed what construction units do not have."""
    client = app.test_client()
    assert _post(client, "/register/enterprise", _enterprise_form(enterprise_type="建设单位")).status_code == 302
    invitation = _authorise(client)
    assert _post(client, invitation, {"username": "lijiang-owner", "password": PASSWORD,
                                      "password2": PASSWORD}).status_code == 302
    with app.app_context():
        organisation = get_user_by_username("lijiang-owner").organisation
        assert (organisation.kind, organisation.enterprise_type) == ("construction_unit", "建设单位")


def test_an_account_name_differing_only_in_case_is_refused(app: Flask) -> None:
    """City-Nanning was accepted beside city-nanning: two accounts nobody reading a list or a log tells apart."""
    admin = WebUser(app, "admin").login()
    refused = admin.post("/admin/accounts/new", {"username": "City-Nanning", "display_name": "南宁审核员",
                                                 "phone": "13807730001", "region_code": "450100",
                                                 "roles": ["city_reviewer"]})
    assert refused.status_code == 422 and "账号名已被使用（账号名不区分大小写）" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_user_by_username("city-nanning") is not None
        with pytest.raises(NotFound):
            get_user_by_username("City-Nanning")


def test_an_operator_changes_at_first_sign_in_the_password_his_main_operator_typed(app: Flask) -> None:
    """The main operator types the new operator's password: it is his to know, so it is temporary, as an admin's
    new account's is (the operator kept it for good)."""
    main = WebUser(app, "ent-nanning").login()
    added = main.post("/enterprise/operators", {"username": "yc-first", "display_name": "覃经办",
                                                "phone": "13800770002", "password": "Clerk-Passw0rd"})
    assert added.status_code == 302, added.get_data(as_text=True)
    clerk = WebUser(app, "yc-first").login("Clerk-Passw0rd")
    for page in ("/", "/cases", "/tasks"):
        sent = clerk.get(page)
        assert sent.status_code == 302 and sent.headers["Location"] == "/account/password", page
    changed = clerk.post("/account/password", {"current": "Clerk-Passw0rd", "password": "Yongcheng-Clerk-2",
                                               "password2": "Yongcheng-Clerk-2"})
    assert changed.status_code == 302 and clerk.get("/cases").status_code == 200
    WebUser(app, "yc-first").login("Yongcheng-Clerk-2")  # his own password from now on


def test_the_invitation_link_is_on_the_public_address_whatever_host_the_request_named(
        app: Flask, standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """The link took its host from the request's Host header: anyone could have our 【桂建云】 sender text a
    phone a link to a host of his choosing."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://gjy.example")
    forged, phone = "http://gxjsy-gov.example.org", "13800771250"
    client = app.test_client()
    for path, data in (("/register/enterprise", _enterprise_form()),
                       ("/register/enterprise/authorise", {"operator_name": "李主管", "operator_phone": phone})):
        token = csrf_token(client.get(path, base_url=forged).get_data(as_text=True))
        answer = client.post(path, data={**data, "csrf_token": token}, base_url=forged)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    link = re.search(r'data-testid="invitation-link">([^<]+)<', page)
    assert link and link.group(1).startswith("https://gjy.example/register/operator/")
    text = MemorySmsGateway.shared().last_text(phone) or ""
    assert link.group(1) in text and "gxjsy-gov" not in text and "gxjsy-gov" not in page


def test_a_new_authorisation_replaces_the_invitation_and_their_number_is_bounded(app: Flask, standin: StandIn) -> None:
    """One verification authorised any number of phones, each texted a link to register as the enterprise's main
    operator. The legal representative may correct the phone (the earlier link stops working: a wrong phone's
    holder must not register), a few times; then he verifies again."""
    client = app.test_client()
    assert _post(client, "/register/enterprise", _enterprise_form()).status_code == 302
    first = _authorise(client, "13800771241")
    second = _authorise(client, "13800771242")
    assert app.test_client().get(first).status_code == 404  # replaced
    assert app.test_client().get(second).status_code == 200
    third = _authorise(client, "13800771243")
    before = _texts_to("13800771244")
    refused = _post(client, "/register/enterprise/authorise",
                    {"operator_name": "李主管", "operator_phone": "13800771244"})
    assert refused.status_code == 422 and "请法定代表人重新认证" in refused.get_data(as_text=True)
    assert _texts_to("13800771244") == before  # not texted
    assert app.test_client().get(second).status_code == 404 and app.test_client().get(third).status_code == 200
    with app.app_context():
        details = [c.details for c in db.session.scalars(select(AccountChange).where(
            AccountChange.action == "main_operator_authorised").order_by(AccountChange.id))]
    assert [d["operator_phone"] for d in details] == ["138****1241", "138****1242", "138****1243"]
    assert [d.get("replaces_phone") for d in details] == [None, "138****1241", "138****1242"]
