"""账号管理 and 三员分立: an admin cannot make himself (or anyone) an admin and an auditor at once, cannot change
his own roles, and cannot take an auditor's account over (its phone, roles and password are not his to change);
a name longer than its column is a field error, not a 500."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from app.services.identity.accounts import get_user_by_username
from tests.support.web import WebUser


def _account(app: Flask, username: str) -> tuple[int, str, str]:
    """(id, phone, region code) of an account."""
    with app.app_context():
        user = get_user_by_username(username)
        return user.id, user.phone or "", user.region_code


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error" data-field-error>([^<]*)<', html) if field != "roles" else \
        re.search(r'<div class="text-danger small" data-field-error>([^<]*)<', html)
    return found.group(1) if found else ""


def test_an_admin_cannot_make_himself_an_auditor(app: Flask, web: Callable[[str], WebUser]) -> None:
    """QA: on his own account the province admin ticked 系统管理员 and 安全审计员 and, signed in again, read /audit."""
    admin = web("admin")
    admin_id, phone, region = _account(app, "admin")
    both = admin.post(f"/admin/accounts/{admin_id}", {"display_name": "系统管理员", "phone": phone,
                                                      "region_code": region, "roles": ["admin", "auditor"]})
    assert both.status_code == 422
    assert _field_error(both.get_data(as_text=True), "roles") == "安全审计员不能与其他角色同时授予（三员分立）"
    created = admin.post("/admin/accounts/new", {"username": "two-hats", "display_name": "两顶帽子",
                                                 "phone": "13807710999", "region_code": "450000",
                                                 "roles": ["admin", "auditor"]})
    assert created.status_code == 422 and "安全审计员不能与其他角色同时授予" in created.get_data(as_text=True)
    again = web("admin")  # signed in again: still no audit log
    assert again.get("/audit").status_code == 403 and again.get("/audit/export.csv").status_code == 403
    with app.app_context():
        assert get_user_by_username("admin").roles == {"admin"}


def test_an_admin_cannot_change_his_own_roles(app: Flask, web: Callable[[str], WebUser]) -> None:
    admin = web("admin")
    admin_id, phone, region = _account(app, "admin")
    answer = admin.post(f"/admin/accounts/{admin_id}", {"display_name": "系统管理员", "phone": phone,
                                                        "region_code": region, "roles": ["admin", "analyst"]})
    assert answer.status_code == 422 and _field_error(answer.get_data(as_text=True), "roles") == "不能修改自己的角色"
    renamed = admin.post(f"/admin/accounts/{admin_id}", {"display_name": "管理员甲", "phone": phone,
                                                         "region_code": region, "roles": ["admin"]})
    assert renamed.status_code == 302  # the rest of his own account he may still change


def test_an_admin_cannot_take_an_auditors_account_over(app: Flask, web: Callable[[str], WebUser]) -> None:
    """Changing the auditor's phone and resetting his password let the admin sign in as the auditor."""
    admin = web("admin")
    auditor_id, phone, region = _account(app, "auditor")
    page = admin.html(f"/admin/accounts/{auditor_id}")
    assert 'data-testid="auditor-account-note"' in page and "重置密码" not in page
    new_phone = admin.post(f"/admin/accounts/{auditor_id}", {"display_name": "安全审计员", "phone": "13807710888",
                                                             "region_code": region, "roles": ["auditor"]})
    assert new_phone.status_code == 422
    assert _field_error(new_phone.get_data(as_text=True), "phone") == "管理员不能修改安全审计员的手机号（三员分立）"
    other_roles = admin.post(f"/admin/accounts/{auditor_id}", {"display_name": "安全审计员", "phone": phone,
                                                               "region_code": region, "roles": ["analyst"]})
    assert other_roles.status_code == 422 and "管理员不能修改安全审计员账号的角色" in other_roles.get_data(as_text=True)
    reset = admin.post(f"/admin/accounts/{auditor_id}/reset-password")
    assert reset.status_code == 422 and "管理员不能重置安全审计员的密码" in reset.get_data(as_text=True)
    assert 'data-testid="password-value"' not in reset.get_data(as_text=True)
    assert _account(app, "auditor")[1] == phone
    assert web("auditor").get("/audit").status_code == 200  # his own password and phone still sign him in
    renamed = admin.post(f"/admin/accounts/{auditor_id}", {"display_name": "审计员乙", "phone": phone,
                                                           "region_code": region, "roles": ["auditor"]})
    assert renamed.status_code == 302  # his name the admin may correct; suspending stays possible
    assert admin.post(f"/admin/accounts/{auditor_id}/suspend").status_code == 302


def test_a_name_longer_than_100_characters_is_a_field_error(app: Flask, web: Callable[[str], WebUser]) -> None:
    """QA: 101 × 柳 as 姓名 on POST /admin/accounts/<id> was a 500 (StringDataRightTruncation on PostgreSQL)."""
    admin = web("admin")
    user_id, phone, region = _account(app, "city-liuzhou")
    answer = admin.post(f"/admin/accounts/{user_id}", {"display_name": "柳" * 101, "phone": phone,
                                                       "region_code": region, "roles": ["city_reviewer", "lead"]})
    assert answer.status_code == 422, answer.status_code
    assert _field_error(answer.get_data(as_text=True), "display_name") == "姓名须为 1 至 100 个字符"
    with app.app_context():
        assert get_user_by_username("city-liuzhou").display_name != "柳" * 101
