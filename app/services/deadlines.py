"""Deadlines of human tasks from the diagram's `dueIn` property ("3 working days", "PT4H", ...)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.calendar import add_working_days

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(working days?|工作日|个工作日|calendar days?|自然日|天|days?)\s*$", re.I)
_ISO_RE = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # "working_days" | "calendar_days" | "duration"
    duration: timedelta | None = None


def parse_limit(text: str) -> Limit | None:
    """Parse a limit written by an analyst; None when it cannot be read."""
    match = _LIMIT_RE.match(text)
    if match:
        unit = match.group(2).lower()
        working = "working" in unit or "工作日" in unit
        return Limit(int(match.group(1)), "working_days" if working else "calendar_days")
    iso = _ISO_RE.match(text.strip())
    if iso and any(iso.groups()):
        days, hours, minutes = (int(g or 0) for g in iso.groups())
        return Limit(0, "duration", timedelta(days=days, hours=hours, minutes=minutes))
    return None


def check_limit_property(name: str, value: str) -> str | None:
    """Deploy-time check of task properties that carry limits."""
    if name == "dueIn" and parse_limit(value) is None:
        return f"无法识别的时限 dueIn='{value}'（示例: 3 working days, 5 calendar days, PT4H）"
    return None


def due_at(start: datetime, text: str | None) -> tuple[datetime | None, bool]:
    """(due moment, provisional). Day limits end at the end of the last day, local time."""
    limit = parse_limit(text) if text else None
    if limit is None:
        return None, False
    if limit.unit == "duration":
        assert limit.duration is not None
        return start + limit.duration, False
    received = start.astimezone(LOCAL_TZ).date()
    if limit.unit == "working_days":
        day, provisional = add_working_days(received, limit.amount)
    else:
        day, provisional = received + timedelta(days=limit.amount), False
    end = datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)
    return end, provisional
