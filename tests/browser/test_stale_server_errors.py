"""A form refused by the server, fixed and submitted again: the server's old refusal (its alert above the form,
its note beside a field) goes as soon as the user submits again, so the browser's own check stands alone."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Project
from tests.browser.helpers import check_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committing,
              pytest.mark.parametrize("template_database", ["sqlite"], indirect=True)]

B_PROJECT, C_PROJECT = "4501002024B001", "4501002025C002"  # ent-nanning's
LIUZHOU_B_PROJECT = "4502002024B001"  # another enterprise's: the page never offers it
C_LEVEL_REFUSAL = "该项目当前为C级数据"
NOT_OURS = "只能选择本单位作为原录入单位的项目"


def _choose(page: Any, code: str) -> None:
    select = page.locator("[data-field=project_id] select")
    value = select.locator("option").evaluate_all(
        "(os, code) => os.find(o => o.textContent.includes(code)).value", code)
    select.select_option(value)


def _send(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="发起").click()


def _project_of(app: Flask, code: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Project.id).where(Project.code == code)))


def test_old_server_messages_go_when_the_form_is_submitted_again(new_page: Callable[..., Any], app: Flask) -> None:
    page = new_page()
    sign_in(page, "ent-nanning")
    page.goto("/cases/start/data_upgrade_b_to_a", wait_until="load")
    _choose(page, C_PROJECT)
    page.get_by_label("联系人").fill("黄工")
    page.get_by_label("联系电话").fill("13907711234")
    page.get_by_label("申请说明").fill("该项目已竣工验收，合同金额3200万元，申请提升数据等级")
    page.locator("[data-field=commitment] input").check()
    _send(page)
    alert = page.locator("main .alert-danger")
    assert C_LEVEL_REFUSAL in alert.inner_text()  # the server's refusal, the input kept

    _choose(page, B_PROJECT)
    page.get_by_label("联系电话").fill("12345")
    page.get_by_role("button", name="发起").click()
    assert page.locator("[data-field-error=contact_phone]").is_visible()  # the browser's check, nothing sent
    assert C_LEVEL_REFUSAL not in page.locator("main").inner_text()
    assert page.locator("main .alert-danger").count() == 1  # the browser's own summary alone
    assert page.locator("[data-client-summary]").is_visible()
    check_page(page, "stale-server-alert-cleared")

    # A field the server refused: its note and red border go too when the user submits again.
    page.get_by_label("联系电话").fill("13907711234")
    page.locator("[data-field=project_id] select").evaluate(
        "(s, id) => { s.options[s.selectedIndex].value = String(id); }", _project_of(app, LIUZHOU_B_PROJECT))
    _send(page)
    assert page.locator("[data-field-error=project_id]").inner_text() == NOT_OURS
    assert page.locator("[data-field=project_id] select.is-invalid").count() == 1
    _choose(page, B_PROJECT)
    page.get_by_label("联系电话").fill("12345")
    page.get_by_role("button", name="发起").click()
    assert page.locator("[data-field-error=contact_phone]").is_visible()
    assert page.locator("[data-field-error=project_id]").count() == 0
    assert page.locator("[data-field=project_id] select.is-invalid").count() == 0
    assert NOT_OURS not in page.locator("main").inner_text()
    check_page(page, "stale-server-field-error-cleared")
