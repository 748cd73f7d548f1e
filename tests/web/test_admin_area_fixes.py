"""QA of the admin area: an account's change history keeps phones masked (stored and shown), a refused token
request keeps what was typed, the new-account form reports every field error in one round, and clearing a
calendar date that has no entry of its own says so and records nothing; the official seed's audit entry
holds its counts."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app.db import unit_of_work
from app.extensions import db
from app.log_masking import mask_text
from app.models import AccountChange, ApiToken, AuditEntry, CalendarChange, CalendarDay
from app.services.identity.accounts import get_user_by_username
from tests.conftest import ROOT
from tests.support.web import WebUser

NEW_PHONE = "13807710777"


def _account(app: Flask, username: str) -> tuple[int, str, str]:
    """(id, phone, region code) of an account."""
    with app.app_context():
        user = get_user_by_username(username)
        return user.id, user.phone or "", user.region_code


def _history(html: str) -> str:
    return html.split('data-testid="account-changes"')[1].split("</ul>")[0]


def test_a_changed_phone_is_masked_in_the_change_history_and_its_stored_details(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    admin = web("admin")
    user_id, old_phone, region = _account(app, "city-liuzhou")
    assert old_phone and old_phone != NEW_PHONE
    saved = admin.post(f"/admin/accounts/{user_id}", {"display_name": "柳州市审查员", "phone": NEW_PHONE,
                                                      "region_code": region, "roles": ["city_reviewer", "lead"]})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    history = _history(admin.html(f"/admin/accounts/{user_id}"))
    assert old_phone not in history and NEW_PHONE not in history
    assert mask_text(old_phone) in history and mask_text(NEW_PHONE) in history
    with app.app_context():
        change = db.session.scalars(select(AccountChange).where(
            AccountChange.target_user_id == user_id, AccountChange.action == "account_changed")
            .order_by(AccountChange.id.desc())).first()
        assert change is not None
        assert change.details["before"]["phone"] == mask_text(old_phone)
        assert change.details["after"]["phone"] == mask_text(NEW_PHONE)


def _stored_in_clear(app: Flask, username: str) -> tuple[int, int]:
    """An account change as an earlier release stored it: nested phones and an ID number in clear."""
    with app.app_context(), unit_of_work():
        user = get_user_by_username(username)
        row = AccountChange(actor_id=None, target_user_id=user.id, organisation_id=user.organisation_id,
                            action="account_changed",
                            details={"before": {"phone": "13907710101"}, "after": {"phone": NEW_PHONE},
                                     "roles": ["city_reviewer"], "note": ["身份证 450103199001011234"]})
        db.session.add(row)
        db.session.flush()
        return user.id, row.id


def test_phones_stored_in_clear_earlier_are_masked_on_the_page(app: Flask, web: Callable[[str], WebUser]) -> None:
    user_id, _row_id = _stored_in_clear(app, "city-liuzhou")
    history = _history(web("admin").html(f"/admin/accounts/{user_id}"))
    assert "13907710101" not in history and NEW_PHONE not in history
    assert "139****0101" in history and "138****0777" in history


@pytest.mark.committing  # Alembic migrates down and up on a connection of its own
def test_the_migration_masks_phones_and_id_numbers_stored_in_clear(app: Flask) -> None:
    _user_id, row_id = _stored_in_clear(app, "city-liuzhou")
    with app.app_context():
        downgrade(directory=str(ROOT / "migrations"), revision="d8a2f6c4e1b9")
        upgrade(directory=str(ROOT / "migrations"))
        db.session.remove()
        details = db.session.get(AccountChange, row_id).details  # type: ignore[union-attr]
    assert details == {"before": {"phone": "139****0101"}, "after": {"phone": "138****0777"},
                       "roles": ["city_reviewer"], "note": ["身份证 4501**********1234"]}


def _tokens(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken)) or 0


def _value(html: str, field: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', html)
    assert tag is not None, field
    found = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return found.group(1) if found else None


def _ticked(html: str, scope: str) -> bool:
    tag = re.search(rf'<input[^>]*\bid="scope-{scope}"[^>]*>', html)
    assert tag is not None, scope
    return " checked" in tag.group(0)


def test_a_refused_token_request_keeps_what_was_typed(app: Flask, web: Callable[[str], WebUser]) -> None:
    page, before = web("ent-nanning"), _tokens(app)
    too_long = page.post("/account/tokens", {"name": "对接系统", "days": "400", "scopes": ["read", "write"]})
    assert too_long.status_code == 422
    html = too_long.get_data(as_text=True)
    assert "令牌有效期须为 1–365 天" in html
    assert _value(html, "name") == "对接系统" and _value(html, "days") == "400"
    assert _ticked(html, "read") and _ticked(html, "write")
    no_scope = page.post("/account/tokens", {"name": "只写名称", "days": "30"})
    assert no_scope.status_code == 422
    html = no_scope.get_data(as_text=True)
    assert _value(html, "name") == "只写名称" and _value(html, "days") == "30"
    assert not _ticked(html, "read") and not _ticked(html, "write")
    assert _tokens(app) == before
    fresh = page.html("/account/tokens")  # the empty form keeps its defaults
    assert _value(fresh, "name") in (None, "") and _value(fresh, "days") == "90"
    assert _ticked(fresh, "read") and not _ticked(fresh, "write")


def _field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error" data-field-error>([^<]*)<', html)
    return found.group(1) if found else ""


def test_the_new_account_form_reports_the_username_with_the_other_field_errors(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    answer = web("admin").post("/admin/accounts/new", {"username": "admin", "display_name": "", "phone": "123",
                                                       "region_code": "450000", "roles": ["analyst"]})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert _field_error(html, "username") == "账号名为空或已被使用"
    assert _field_error(html, "display_name") == "请填写姓名"
    assert _field_error(html, "phone") == "请填写 11 位手机号（用于接收登录验证码）"
    other_case = web("admin").post("/admin/accounts/new", {"username": "Admin", "display_name": "",
                                                           "phone": "13807710999", "region_code": "450000",
                                                           "roles": ["analyst"]})
    assert other_case.status_code == 422
    html = other_case.get_data(as_text=True)
    assert _field_error(html, "username") == "账号名已被使用（账号名不区分大小写）"
    assert _field_error(html, "display_name") == "请填写姓名"


def _clear_day_audits(app: Flask, day: date) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "calendar.clear_day", AuditEntry.object_id == day.isoformat())) or 0


def test_clearing_a_date_without_an_entry_says_so_and_records_nothing(
        app: Flask, web: Callable[[str], WebUser]) -> None:
    day = date(2031, 5, 6)
    admin = web("admin")
    answer = admin.post("/admin/calendar/days", {"day": day.isoformat(), "kind": "clear", "year": "2031"})
    assert answer.status_code == 302
    page = admin.html("/admin/calendar?year=2031")
    assert "2031-05-06 没有单独设置的安排，无需清除" in page and "已更新" not in page
    with app.app_context():
        assert db.session.get(CalendarDay, day) is None
        assert db.session.scalar(select(CalendarChange).where(CalendarChange.day == day)) is None
    assert _clear_day_audits(app, day) == 0
    english = web("admin")
    english.get("/lang/en")
    english.post("/admin/calendar/days", {"day": day.isoformat(), "kind": "clear", "year": "2031"})
    assert "2031-05-06 has no entry of its own: nothing to clear" in english.html("/admin/calendar?year=2031")
    # a date with an entry is still cleared, logged and audited
    admin.post("/admin/calendar/days", {"day": day.isoformat(), "kind": "holiday", "name": "台风停工", "year": "2031"})
    admin.post("/admin/calendar/days", {"day": day.isoformat(), "kind": "clear", "year": "2031"})
    assert "2031-05-06 已更新" in admin.html("/admin/calendar?year=2031")
    with app.app_context():
        assert db.session.get(CalendarDay, day) is None
    assert _clear_day_audits(app, day) == 1


def test_the_official_seed_s_audit_entry_holds_its_counts(app: Flask) -> None:
    from app.services.deadlines.calendar_admin import seed_official_calendar

    with app.app_context(), unit_of_work():
        for row in db.session.scalars(select(CalendarDay)):  # a table without the official years
            db.session.delete(row)
    with app.app_context(), unit_of_work():
        outcome = seed_official_calendar()
    assert outcome.days_written > 0
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.seed_official")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.details["days"] == outcome.days_written
        assert entry.details["years"] == len(outcome.years)
