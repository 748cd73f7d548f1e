"""A form sent after the session ended (idle past the timeout: here its cookies are cleared, as the browser and
the server drop them): the server sends the user to sign in and back to the form's page, and the page offers to
restore what he typed, kept in this tab's sessionStorage (never the CSRF token); restored, dismissed, or the form
taken by the server, the kept input is gone."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.integrations.sms import MemorySmsGateway
from app.services.demo import DEMO_PASSWORD, DEMO_PHONES
from tests.browser.helpers import check_page, code_step, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

START = "/cases/start/data_upgrade_b_to_a"
B_PROJECT = "4501002024B001"  # ent-nanning's level-B project
REASON = "该项目已竣工验收，合同金额3200万元，申请提升数据等级"
OFFER = "[data-testid=form-stash-offer]"


def _fill(page: Any) -> None:
    select = page.locator("[data-field=project_id] select")
    value = select.locator("option").evaluate_all("(os, code) => os.find(o => o.textContent.includes(code)).value",
                                                  B_PROJECT)
    select.select_option(value)
    page.get_by_label("联系人").fill("黄工")
    page.get_by_label("联系电话").fill("13907711234")
    page.get_by_label("申请说明").fill(REASON)
    page.locator("[data-field=commitment] input").check()


def _send_after_the_session_ended(page: Any) -> None:
    """The page outlived its session; 发起 leads to the sign-in page, which says the input was not saved."""
    page.context.clear_cookies()
    with page.expect_navigation():
        page.get_by_role("button", name="发起").click()
    assert "/login" in page.url
    assert "登录已失效，刚才提交的内容未保存" in page.locator("main").inner_text()


def _lose_a_filled_form(page: Any) -> None:
    """ent-nanning signs in, fills the start form and sends it after his session ended."""
    sign_in(page, "ent-nanning")
    page.goto(START, wait_until="load")
    _fill(page)
    _send_after_the_session_ended(page)


def _sign_in_here(page: Any, username: str = "ent-nanning") -> None:
    """Sign in on the sign-in page the form led to (its way back to the form kept)."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    code_step(page, MemorySmsGateway.shared().last_code(DEMO_PHONES[username]) or "")
    assert page.url.endswith(START), page.url


def _kept(page: Any) -> str:
    return str(page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))"))


def test_input_sent_after_the_session_ended_is_offered_back_and_restored(new_page: Callable[..., Any],
                                                                         app: Flask) -> None:
    page = new_page()
    sign_in(page, "ent-nanning")
    page.goto(START, wait_until="load")
    token = page.locator("input[name=csrf_token]").first.input_value()
    _fill(page)
    _send_after_the_session_ended(page)
    kept = _kept(page)
    assert REASON in kept and "csrf_token" not in kept and token not in kept

    _sign_in_here(page)
    offer = page.locator(OFFER)
    assert offer.is_visible()
    assert page.get_by_label("申请说明").input_value() == ""  # the page came back empty
    check_page(page, "form-stash-offer")
    offer.get_by_role("button", name="恢复上次未保存的输入").click()
    assert page.locator(OFFER).count() == 0
    assert page.get_by_label("联系人").input_value() == "黄工"
    assert page.get_by_label("联系电话").input_value() == "13907711234"
    assert page.get_by_label("申请说明").input_value() == REASON
    assert page.locator("[data-field=commitment] input").is_checked()
    assert B_PROJECT in page.locator("[data-field=project_id] select option:checked").inner_text()
    assert "gjy.form-stash" not in _kept(page)  # restored: no longer kept

    with page.expect_navigation():
        page.get_by_role("button", name="发起").click()
    assert "/login" not in page.url and not page.url.endswith(START)  # taken: the case was started
    page.goto(START, wait_until="load")
    assert page.locator(OFFER).count() == 0


def test_a_dismissed_offer_is_not_made_again_and_a_taken_form_leaves_nothing_kept(
        new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page()
    _lose_a_filled_form(page)
    _sign_in_here(page)
    page.locator(OFFER).get_by_role("button", name="不恢复").click()
    assert page.locator(OFFER).count() == 0 and page.get_by_label("申请说明").input_value() == ""
    assert "gjy.form-stash" not in _kept(page)
    page.reload(wait_until="load")
    assert page.locator(OFFER).count() == 0

    _fill(page)  # sent while signed in: the server takes it, and nothing stays kept for the next start form
    with page.expect_navigation():
        page.get_by_role("button", name="发起").click()
    assert "/login" not in page.url and not page.url.endswith(START)
    assert "gjy.form-stash" not in _kept(page)


def test_input_kept_in_a_tab_is_not_offered_to_the_next_user_and_goes_at_sign_out(
        new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page()
    _lose_a_filled_form(page)
    _sign_in_here(page, "ent-liuzhou")  # someone else signs in at this computer
    assert page.locator(OFFER).count() == 0
    assert REASON not in _kept(page)

    page.context.clear_cookies()  # ent-nanning again, in the same tab: his input is kept again ...
    _lose_a_filled_form(page)
    _sign_in_here(page)
    assert page.locator(OFFER).is_visible()
    page.goto("/", wait_until="load")
    assert REASON in _kept(page)  # ... not restored yet: kept while the user works elsewhere
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    assert "gjy.form-stash" not in _kept(page)  # signed out: nothing stays for the next user


def test_another_user_signing_in_elsewhere_in_the_tab_drops_the_input_kept(
        new_page: Callable[..., Any], app: Flask) -> None:
    """The next user who signed in on another page than the form's worked with the input (ID numbers included)
    readable in the tab's storage until he signed out."""
    page = new_page()
    _lose_a_filled_form(page)
    assert REASON in _kept(page)
    page.goto("/", wait_until="load")  # the sign-in page, on its way back to the home page
    page.get_by_label("用户名").fill("ent-liuzhou")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    code_step(page, MemorySmsGateway.shared().last_code(DEMO_PHONES["ent-liuzhou"]) or "")
    assert "/login" not in page.url
    assert REASON not in _kept(page) and "gjy.form-stash" not in _kept(page)
