"""The notifications page reaches every notice the bell counts: 55 unread showed the newest 50 without a pager,
and 全部标为已读 then marked five that were never shown."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from app.db import unit_of_work
from app.services.identity.accounts import get_user_by_username
from app.services.notifications import Note, notify
from tests.support.web import WebUser


def test_every_notice_is_on_a_page(app: Flask, web: Callable[[str], WebUser]) -> None:
    with app.app_context(), unit_of_work():
        supervisor = get_user_by_username("supervisor")
        for n in range(55):
            notify([supervisor], Note("test_notice", f"第 {n + 1} 条提醒", key=str(n)))
    user = web("supervisor")
    first = user.html("/notifications")
    assert first.count('data-kind="test_notice"') == 50 and "第 55 条提醒" in first and "第 5 条提醒<" not in first
    assert 'href="/notifications?page=2"' in first
    second = user.html("/notifications?page=2")
    assert second.count('data-kind="test_notice"') == 5 and "第 1 条提醒" in second
    assert user.html("/notifications?page=99").count('data-kind="test_notice"') == 5  # past the end: the last page
