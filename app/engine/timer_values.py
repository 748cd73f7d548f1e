"""What a timer expression may evaluate to, and reading the moments the library stored for waiting timers.

A timer's text (timeDate / timeDuration / timeCycle) is a Python expression; its value must be an ISO 8601
string this runtime can schedule. The same rules serve the deploy (evaluated on sample data) and every run
(evaluated on the case's data, before the library parses the value): a date-time with an explicit offset
(naive times would be read in the server's zone, week dates are not read consistently), a duration of at
most MAX_YEARS, and bounded cycles R<n>/... (n <= MAX_CYCLES) of such parts, with a positive period.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from app.errors import Message

MAX_YEARS = 100  # a longer duration is a typo; the library also counts months one by one
MAX_CYCLES = 100  # each repetition of a cycle adds tasks to the case's tree
OFFSET_EXAMPLE = "2026-12-31T17:00:00+08:00"

_KINDS = ((TimeDateEventDefinition, "date"), (DurationTimerEventDefinition, "duration"),
          (CycleTimerEventDefinition, "cycle"))
_DAYS_PER = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
             "seconds": 1 / 86400}


def timer_kind(event_definition: Any) -> str | None:
    """"date", "duration" or "cycle" for a timer event definition, else None."""
    return next((name for cls, name in _KINDS if isinstance(event_definition, cls)), None)


def moment_problem(text: str) -> str | None:
    """Why `text` is not a date-time the runtime schedules, or None."""
    if text.upper().startswith("P"):
        return Message("“{text}”是时长，不是日期时间（时长请用 timeDuration）", text=text)
    if "W" in text.upper():
        return Message("不支持 ISO 周日期“{text}”，请写成带时区偏移的日期时间，例如 \"{example}\"", text=text,
                       example=OFFSET_EXAMPLE)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return Message("无法识别的日期时间“{text}”，例如 \"{example}\"", text=text, example=OFFSET_EXAMPLE)
    if moment.tzinfo is None:
        return Message("日期时间“{text}”缺少时区偏移，请写成例如 \"{example}\"", text=text, example=OFFSET_EXAMPLE)
    return None


def duration_problem(text: str) -> str | None:
    """Why `text` is not an ISO 8601 duration the runtime schedules, or None."""
    try:
        parts = TimerEventDefinition.parse_iso_duration(text) if text.upper().startswith("P") else None
    except Exception:  # the library raises a bare Exception('Invalid duration')
        parts = None
    if parts is None:
        return Message("无法识别的时长“{text}”，例如 \"P3D\"、\"PT4H\"", text=text)
    if sum(value * _DAYS_PER[unit] for unit, value in parts.items()) > MAX_YEARS * 366:
        return Message("时长“{text}”超过 {years} 年", text=text, years=MAX_YEARS)
    return None


def _cycle_parts(text: str) -> tuple[int, list[str]] | str:
    """(repetitions, the one or two parts after them) of an R<n>/... expression, or the problem."""
    if not text.upper().startswith("R"):
        return Message("无法识别的周期“{text}”，例如 \"R3/PT1H\"", text=text)
    head, _, rest = text[1:].partition("/")
    parts = rest.split("/") if rest else []
    if not (head.isascii() and head.isdigit() and len(head) <= 3) or not 0 < int(head) <= MAX_CYCLES:  # not "²"
        return Message("周期“{text}”须写明重复次数 1–{most}（如 \"R3/PT1H\"），不支持无限重复", text=text,
                       most=MAX_CYCLES)
    if len(parts) not in (1, 2) or sum(p.upper().startswith("P") for p in parts) != 1:
        return Message("周期“{text}”须为 R次数/时长 或 R次数/开始时间/时长", text=text)
    return int(head), parts


def cycle_problem(text: str) -> str | None:
    """Why `text` is not a bounded ISO 8601 repeating interval the runtime schedules, or None."""
    split = _cycle_parts(text)
    if isinstance(split, str):
        return split
    for part in split[1]:
        problem = duration_problem(part) if part.upper().startswith("P") else moment_problem(part)
        if problem:
            return problem
    try:
        _cycles, _start, period = TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception as exc:  # the library's parsing raises bare exceptions
        return Message("无法识别的周期“{text}”: {error}", text=text, error=str(exc))
    if period.total_seconds() <= 0:
        return Message("周期“{text}”的间隔须大于零", text=text)
    return None


def timer_problem(kind: str, value: Any) -> str | None:
    """Why an evaluated timer expression cannot be scheduled (Chinese), or None when it can."""
    if not isinstance(value, str):
        return Message("定时器表达式的结果须为 ISO 8601 字符串，实际为 {kind}", kind=type(value).__name__)
    text = value.strip()
    if kind == "date":
        return moment_problem(text)
    if kind == "duration":
        return duration_problem(text)
    return cycle_problem(text)


def stored_moment(value: Any) -> datetime:
    """The UTC moment of a waiting timer's stored value, read as the library reads it when it decides whether
    the timer fired (a naive value in the server's zone, as the library does); ValueError when unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            parsed = TimerEventDefinition.parse_time_or_duration(value)
        except Exception as exc:  # bare exceptions from the library's parsing
            raise ValueError(str(exc)) from exc
        if not isinstance(parsed, datetime):
            raise ValueError(f"{value!r} is not a moment")
        moment = parsed
    else:
        raise ValueError(f"{value!r} is not a moment")
    return TimerEventDefinition.get_datetime(moment.isoformat()) if moment.tzinfo is None else \
        moment.astimezone(UTC)
