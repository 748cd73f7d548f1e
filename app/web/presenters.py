"""Template helpers: local times, time left to a deadline, Chinese titles of states, badges."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app

from app.db import utcnow
from app.models import CASE_STATUS_TITLES, ROLE_TITLES
from app.policy import can_view_dashboard
from app.services.deadlines import LOCAL_TZ, parse_limit
from app.services.history import EVENT_TITLES
from app.web.i18n import gettext as _

DEADLINE_STATES = {"on_time": "正常", "warning": "临期", "overdue": "超期", "paused": "暂停计时",
                   "completed_on_time": "按时办结", "completed_late": "超期办结"}
DEADLINE_BADGES = {"on_time": "text-bg-success", "warning": "text-bg-warning", "overdue": "text-bg-danger",
                   "paused": "text-bg-secondary", "completed_on_time": "text-bg-success",
                   "completed_late": "text-bg-danger"}
STATUS_BADGES = {"running": "text-bg-primary", "waiting_for_applicant": "text-bg-warning",
                 "completed": "text-bg-success", "withdrawn": "text-bg-secondary",
                 "terminated": "text-bg-dark", "error": "text-bg-danger"}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(LOCAL_TZ).strftime(fmt) if value else "—"


def time_left(due: datetime | None, now: datetime | None = None) -> str:
    """"剩余 2 天 3 小时" or "已超期 5 小时" (calendar time; the state badge says which clock runs)."""
    if due is None:
        return _("无时限")
    seconds = int((due - (now or utcnow())).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    amount = _("{d} 天 {h} 小时", d=days, h=hours) if days else _("{h} 小时 {m} 分", h=hours, m=rest // 60)
    return _("剩余 {t}", t=amount) if seconds >= 0 else _("已超期 {t}", t=amount)


def limit_text(text: str | None) -> str:
    """A diagram's `dueIn` in words: "3 working days" -> "3 个工作日"."""
    limit = parse_limit(text) if text else None
    if limit is None or limit.unit == "duration":
        return text or ""
    unit = "个工作日" if limit.unit == "working_days" else "个自然日"
    return _("{n} " + unit, n=limit.amount)


def deadline_class(due: datetime | None, state: str | None) -> str:
    if state in DEADLINE_BADGES:
        return DEADLINE_BADGES[state]
    if due is not None and due < utcnow():
        return DEADLINE_BADGES["overdue"]
    return "text-bg-light border"


def has_endpoint(name: str) -> bool:
    """Does the app serve this page (blueprints of other areas are optional)?"""
    return name in current_app.view_functions


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, time_left=time_left, limit_text=limit_text)
    globals_: dict[str, Any] = {
        "DEADLINE_STATES": DEADLINE_STATES, "STATUS_TITLES": CASE_STATUS_TITLES, "STATUS_BADGES": STATUS_BADGES,
        "ROLE_TITLES": ROLE_TITLES, "EVENT_TITLES": EVENT_TITLES, "deadline_class": deadline_class,
        "has_endpoint": has_endpoint, "can_view_dashboard": can_view_dashboard,
    }
    app.jinja_env.globals.update(globals_)
