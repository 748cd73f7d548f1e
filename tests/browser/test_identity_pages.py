"""Identity in chromium: an enterprise registers through the legal representative's verification (the
stand-in verifier on 127.0.0.1), its main operator signs in with password + SMS code and adds an operator,
who signs in and changes the password he was given; an admin creates a city reviewer; a locked account, an
expired code and a reused code."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import update

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.integrations.sms import MemorySmsGateway
from app.integrations.standin import StandIn
from app.models import SignInCode
from app.services.demo import DEMO_PHONES, credit_code, id_number
from tests.browser.helpers import check_page, code_step, password_step, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

MAIN_PASSWORD, CLERK_PASSWORD = "Guilin-Main-2026", "Guilin-Clerk-2026"


def _fill(page: Any, values: dict[str, str]) -> None:
    for field, value in values.items():
        page.locator(f"#{field}").fill(value)


def test_an_enterprise_registers_and_its_operators_sign_in(new_page: Callable[..., Any]) -> None:
    StandIn.shared().mode = "pass"
    legal = new_page()
    legal.goto("/login")
    legal.get_by_role("link", name="企业注册").click()
    check_page(legal, "20-register-enterprise")
    _fill(legal, {"credit_code": credit_code("91450300MA5BRW001"), "name": "桂林漓江建设有限公司",
                  "legal_representative": "蒋立", "legal_representative_id": id_number("45030219700101123")})
    legal.locator("#region_code").select_option("450300")
    legal.get_by_label("法定代表人实名刷脸认证").check()
    legal.get_by_role("button", name="提交认证").click()
    assert legal.url.endswith("/register/enterprise/authorise"), legal.locator("main").inner_text()[:400]
    _fill(legal, {"operator_name": "李主管", "operator_phone": "13800771234"})
    legal.get_by_role("button", name="以法定代表人身份授权").click()
    link = legal.get_by_test_id("invitation-link").inner_text()
    assert link in (MemorySmsGateway.shared().last_text("13800771234") or "")  # also sent to his phone
    check_page(legal, "21-register-authorised")

    main = new_page()
    main.goto(urlsplit(link).path)  # the link is on the public address (GJY_PUBLIC_URL), not this test server's
    _fill(main, {"username": "lijiang-main", "password": MAIN_PASSWORD, "password2": MAIN_PASSWORD})
    main.get_by_role("button", name="注册").click()
    assert main.url.endswith("/login")
    password_step(main, "lijiang-main", MAIN_PASSWORD)
    assert "演示验证码" in main.get_by_test_id("demo-code").inner_text()
    check_page(main, "22-sign-in-code")
    code_step(main, MemorySmsGateway.shared().last_code("13800771234") or "")
    main.get_by_role("link", name="经办人管理").click()
    _fill(main, {"username": "lijiang-clerk", "display_name": "王经办", "phone": "13800775678",
                 "password": CLERK_PASSWORD})
    main.get_by_label("项目人员解锁").first.check()
    main.get_by_test_id("add-operator").get_by_role("button", name="添加").click()
    row = main.locator("tr[data-username=lijiang-clerk]")
    assert "138****5678" in row.inner_text() and "13800775678" not in main.content()
    check_page(main, "23-operators")

    clerk = new_page()
    sign_in(clerk, "lijiang-clerk", CLERK_PASSWORD, phone="13800775678")
    assert clerk.url.endswith("/account/password")  # the password his main operator typed is changed first
    _fill(clerk, {"current": CLERK_PASSWORD, "password": "Guilin-Clerk-2027", "password2": "Guilin-Clerk-2027"})
    clerk.get_by_role("button", name="保存").click()
    assert "王经办" in clerk.get_by_test_id("who").inner_text()
    assert clerk.locator("[data-start=personnel_unlock]").count() == 1
    assert clerk.locator("[data-start=personnel_deregistration]").count() == 0  # not granted


def test_an_admin_creates_a_city_reviewer_who_signs_in(new_page: Callable[..., Any]) -> None:
    admin = new_page()
    sign_in(admin, "admin")
    admin.get_by_role("link", name="账号管理").click()
    check_page(admin, "24-accounts")
    admin.get_by_role("link", name="新建账号").click()
    _fill(admin, {"username": "gl-reviewer", "display_name": "桂林审核员", "phone": "13807730000"})
    admin.locator("#region_code").select_option("450300")
    admin.get_by_label("市级审核人员").check()
    admin.get_by_role("button", name="创建账号").click()
    password = admin.get_by_test_id("password-value").inner_text()
    check_page(admin, "25-account-created")
    reviewer = new_page()
    sign_in(reviewer, "gl-reviewer", password, phone="13807730000")
    assert reviewer.url.endswith("/account/password")  # a temporary password is changed first
    _fill(reviewer, {"current": password, "password": "Guilin-Review-1", "password2": "Guilin-Review-1"})
    reviewer.get_by_role("button", name="保存").click()
    assert "/tasks" in reviewer.url  # his inbox
    assert "桂林市住房和城乡建设局" in reviewer.get_by_test_id("who").inner_text()


def test_a_locked_account_an_expired_code_and_a_reused_code(new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page()
    for _ in range(5):
        password_step(page, "supervisor", "Wrong-Passw0rd")
        assert "用户名或密码错误" in page.locator("main").inner_text()
    password_step(page, "supervisor")  # the right password, too late
    assert "账号已暂时锁定" in page.locator("main").inner_text()

    password_step(page, "city-liuzhou")
    with app.app_context(), unit_of_work():  # five minutes pass
        db.session.execute(update(SignInCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    code_step(page, MemorySmsGateway.shared().last_code(DEMO_PHONES["city-liuzhou"]) or "")
    assert "验证码已过期" in page.locator("main").inner_text() and page.url.endswith("/login/code")

    sign_in(page, "province")
    used = MemorySmsGateway.shared().last_code(DEMO_PHONES["province"]) or ""
    page.get_by_role("button", name="退出").click()
    password_step(page, "province")
    code_step(page, used)
    assert "验证码" in page.locator(".alert-danger").inner_text() and page.url.endswith("/login/code")
