"""Limits from the diagram ("3 working days", "5 calendar days", "PT4H") -> due and warning moments.

Pure functions over a `WorkCalendar`: working-day limits count from the day after receipt
(行政许可法 §82) and end when the office closes on the last day; a calendar-day limit whose last day is
a rest day ends on the next working day (民法典 §203); ISO durations run on the wall clock.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.errors import Message
from app.services.deadlines.calendar import BusinessHours, WorkCalendar, business_hours, current_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_WARNING_SHARE = 0.9
_LIMIT_RE = re.compile(r"^\s*(\d+)\s*(working days?|工作日|个工作日|calendar days?|自然日|天|days?)\s*$", re.I)
_ISO_RE = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
_TRUE = {"true", "yes", "1", "是"}
# The longest limit an analyst may write, about ten years whatever the unit (the notice's procedures use at most
# 20 working days; diagrams' working-day timers share the bound: timer_functions). Deploy refuses a longer one;
# one deployed before the bound is read at it (parse_limit): its deadline is then computed in a few thousand
# steps, not counted day by day past the year 9999 (which failed every step of the procedure).
MAX_WORKING_DAYS = 2500
MAX_CALENDAR_DAYS = 3650
MAX_DURATION_MINUTES = MAX_CALENDAR_DAYS * 24 * 60
_MAXIMUM = {"working_days": MAX_WORKING_DAYS, "calendar_days": MAX_CALENDAR_DAYS, "duration": MAX_DURATION_MINUTES}
_DIGITS = 12  # a number written with more digits is beyond every bound (and int() of 4300+ digits raises)

_MINUTES = {"days": 24 * 60, "hours": 60, "minutes": 1}
_CLOCK_WORDS = {"days": "日", "hours": "小时", "minutes": "分钟"}

ON_TIME, WARNING, OVERDUE, PAUSED = "on_time", "warning", "overdue", "paused"
COMPLETED_ON_TIME, COMPLETED_LATE = "completed_on_time", "completed_late"
DECIDED_STATES = (COMPLETED_ON_TIME, COMPLETED_LATE)  # the authority's outcome: its clock stopped by a decision
STATE_TITLES = {ON_TIME: "正常", WARNING: "预警", OVERDUE: "超期", PAUSED: "暂停计时",
                COMPLETED_ON_TIME: "按时办结", COMPLETED_LATE: "超期办结"}


@dataclass(frozen=True)
class Limit:
    amount: int  # a duration's in its `clock_unit`
    unit: str  # "working_days" | "calendar_days" | "duration"
    duration: timedelta | None = None
    clock_unit: str | None = None  # a duration's smallest unit as written: "days" | "hours" | "minutes"


@dataclass(frozen=True)
class Excluded:
    """Time the clock stood still, per kind of limit (working days, calendar days, seconds)."""

    workdays: int = 0
    days: int = 0
    seconds: int = 0


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    warn_at: datetime
    missing_years: frozenset[int] = frozenset()

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)


def _number(digits: str | None) -> int:
    return int(digits) if digits and len(digits) <= _DIGITS else (10 ** _DIGITS if digits else 0)


def _amount(text: str) -> tuple[int, str] | None:
    """(amount, unit) of a limit as written, durations in minutes, unbounded; None when it cannot be read."""
    match = _LIMIT_RE.match(text)
    if match:
        unit = match.group(2).lower()
        working = "working" in unit or "工作日" in unit
        return _number(match.group(1)), "working_days" if working else "calendar_days"
    iso = _ISO_RE.match(text.strip())
    if iso and any(iso.groups()):
        days, hours, minutes = (_number(g) for g in iso.groups())
        return (days * 24 + hours) * 60 + minutes, "duration"
    return None


def parse_limit(text: str) -> Limit | None:
    """Parse a limit written by an analyst; None when it cannot be read. A limit beyond the maximum (refused at
    deploy: too_long) is read as the maximum, so that a version deployed before the bound still runs."""
    found = _amount(text)
    if found is None:
        return None
    amount, unit = min(found[0], _MAXIMUM[found[1]]), found[1]
    if unit == "duration":  # amount: in the smallest unit written (P5D: 5 days, PT120H / P1DT2H: hours, ...M: minutes)
        iso = _ISO_RE.match(text.strip())
        written = "minutes" if iso and iso.group(3) else "hours" if iso and iso.group(2) else "days"
        return Limit(amount // _MINUTES[written], unit, timedelta(minutes=amount), written)
    return Limit(amount, unit)


def limit_words(limit: Limit) -> str:
    """A limit as documents print it: "10 个工作日", "5 日"; a duration from its own length: "5 日" (P5D),
    "120 小时" (PT120H), "90 分钟"."""
    if limit.unit == "working_days":
        return f"{limit.amount} 个工作日"
    if limit.unit == "calendar_days":
        return f"{limit.amount} 日"
    return f"{limit.amount} {_CLOCK_WORDS.get(limit.clock_unit or 'days', '日')}"


def too_long(name: str, value: str) -> str | None:
    """The refusal of a limit longer than about ten years (MAX_WORKING_DAYS and the like), else None."""
    found = _amount(value)
    if found is None or found[0] <= _MAXIMUM[found[1]]:
        return None
    return Message("时限 {name}='{value}' 过长：最多 {working} 个工作日、{calendar} 个自然日或 P{calendar}D（约十年）",
                   name=name, value=value[:40], working=MAX_WORKING_DAYS, calendar=MAX_CALENDAR_DAYS)


def parse_share(text: str | None, default: float = DEFAULT_WARNING_SHARE) -> float:
    """'90%' or '0.9' -> 0.9; anything unreadable or outside (0, 1] -> the default."""
    if not text:
        return default
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        return default
    return value if 0 < value <= 1 else default


def is_true(value: object) -> bool:
    return str(value).strip().lower() in _TRUE


def check_limit_property(name: str, value: str) -> str | None:
    """Deploy-time check of task properties that carry limits."""
    if name == "dueIn" and parse_limit(value) is None:
        return Message("无法识别的时限 dueIn='{value}'（示例: 3 working days, 5 calendar days, PT4H）", value=value)
    if name == "dueIn":
        return too_long(name, value)
    if name == "warnAt" and parse_share(value, default=-1.0) < 0:
        return Message("无法识别的预警比例 warnAt='{value}'（示例: 90%, 0.8）", value=value)
    if name == "clockExcluded" and value.strip().lower() not in _TRUE | {"false", "no", "0", "否"}:
        return Message("clockExcluded 须为 true 或 false，而不是 '{value}'", value=value)
    return None


def check_process_property(name: str, value: str) -> str | None:
    """Deploy-time check of the procedure's clock properties (to be wired into the registry)."""
    if name in ("committedLimit", "statutoryLimit", "supplementLimit") and parse_limit(value) is None:
        return Message("无法识别的时限 {name}='{value}'（示例: 20 working days, 10个工作日）", name=name, value=value)
    if name in ("committedLimit", "statutoryLimit", "supplementLimit"):
        return too_long(name, value)
    if name == "warningShare" and parse_share(value, default=-1.0) < 0:
        return Message("无法识别的预警比例 warningShare='{value}'（示例: 90%）", value=value)
    if name == "supplementClock" and value not in ("resume", "restart"):
        return Message("supplementClock 须为 resume 或 restart，而不是 '{value}'", value=value)
    return None


def _missing(cal: WorkCalendar, first: date, last: date) -> frozenset[int]:
    return frozenset(y for y in range(first.year, last.year + 1) if y not in cal.known_years)


def _warn_in_business_time(cal: WorkCalendar, received: date, workdays: int, share: float,
                           hours: BusinessHours) -> datetime:
    """The moment `share` of `workdays` office days after `received` has elapsed."""
    remaining = share * workdays * hours.seconds
    day = received
    for day in cal.workdays_from(received + timedelta(days=1)):
        if remaining <= hours.seconds:
            opens = datetime.combine(day, hours.opens, tzinfo=LOCAL_TZ)
            return opens + timedelta(seconds=remaining)
        remaining -= hours.seconds
    return datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ)


def _shift_workdays(cal: WorkCalendar, moment: datetime, workdays: int) -> datetime:
    """The same office time `workdays` working days later (the clock stood still that long)."""
    if workdays <= 0:
        return moment
    local = moment.astimezone(LOCAL_TZ)
    day, _ = cal.add_working_days(local.date(), workdays)
    return datetime.combine(day, local.timetz())


def compute_deadline(start: datetime, limit: Limit, cal: WorkCalendar, hours: BusinessHours,
                     share: float = DEFAULT_WARNING_SHARE, excluded: Excluded = Excluded()) -> Deadline:
    """Due and warning moments of a limit counted from `start` (the moment of receipt).

    Time the clock stood still (`excluded`: 补正, excluded steps) moves both moments later; the warning
    comes at `share` of the limit itself (the time the clock actually ran), moved by the excluded time,
    never at `share` of the limit plus the pause (that would warn early after a long pause).
    """
    if limit.unit == "duration":
        assert limit.duration is not None
        pause = timedelta(seconds=excluded.seconds)
        return Deadline(start + limit.duration + pause, start + share * limit.duration + pause)
    received = start.astimezone(LOCAL_TZ).date()
    if limit.unit == "working_days":
        day, _ = cal.add_working_days(received, limit.amount + excluded.workdays)
        due = datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ)
        active_warn = _warn_in_business_time(cal, received, limit.amount, share, hours)
        warn = _shift_workdays(cal, active_warn, excluded.workdays)
    else:
        pause_days = timedelta(days=excluded.days)
        day, _ = cal.next_workday(received + timedelta(days=limit.amount) + pause_days)
        due = datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ)
        active_due = due - pause_days  # the limit as it ran, the pause taken out
        warn = _in_office_time(cal, start + share * (active_due - start) + pause_days, hours, start)
    return Deadline(due, min(warn, due), _missing(cal, received, day))


def _in_office_time(cal: WorkCalendar, moment: datetime, hours: BusinessHours, start: datetime) -> datetime:
    """A calendar-day limit's warning in office time on a working day, as a working-day limit's is: the latest
    office moment not after `moment` (not 02:23 at night, nor the middle of National Day); when there is none
    since `start` (received on a rest day), the first office moment after it."""
    local = moment.astimezone(LOCAL_TZ)
    day, first = local.date(), start.astimezone(LOCAL_TZ).date()
    if cal.is_workday(day) and hours.opens <= local.time() <= hours.closes:
        return moment
    if not (cal.is_workday(day) and local.time() > hours.closes):
        day -= timedelta(days=1)
        while day >= first and not cal.is_workday(day):
            day -= timedelta(days=1)
    latest = datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ)
    if day >= first and latest >= start:
        return latest
    opening = start.astimezone(LOCAL_TZ)  # received out of office time: the office's next opening
    next_day = opening.date() if opening.time() < hours.opens else opening.date() + timedelta(days=1)
    return datetime.combine(cal.next_workday(next_day)[0], hours.opens, tzinfo=LOCAL_TZ)


def due_at(start: datetime, text: str | None, calendar: WorkCalendar | None = None) -> tuple[datetime | None, bool]:
    """(due moment, provisional) of a limit on `calendar` (default: the current one); (None, False) without
    one."""
    limit = parse_limit(text) if text else None
    if limit is None:
        return None, False
    deadline = compute_deadline(start, limit, calendar or current_calendar(), business_hours())
    return deadline.due_at, deadline.provisional


def state_at(now: datetime, warn_at: datetime | None, due: datetime | None) -> str | None:
    """on_time / warning (黄牌) / overdue (红牌) at `now`; None when there is no limit."""
    if due is None:
        return None
    if now > due:
        return OVERDUE
    if warn_at is not None and now >= warn_at:
        return WARNING
    return ON_TIME


def completed_state(completed_at: datetime, due: datetime | None) -> str | None:
    if due is None:
        return None
    return COMPLETED_ON_TIME if completed_at <= due else COMPLETED_LATE
