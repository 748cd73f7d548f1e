"""Template helpers: local times, time left to a deadline, Chinese titles of states, badges."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app

from app.db import utcnow
from app.errors import Bilingual
from app.log_masking import mask_shown_text
from app.models import (
    CASE_STATUS_TITLES,
    OPEN_STATUSES,
    ROLE_TITLES,
    Actor,
    Case,
    CaseClock,
    CaseDocument,
    CaseStatus,
    Task,
)
from app.policy import can_view_dashboard, is_province_admin, manages_procedures, on_applicant_side
from app.services.cases.history import EVENT_TITLES, Event
from app.services.cases.search import RESUBMIT
from app.services.deadlines.breach import PAUSED_OVERDUE, late_at_pause
from app.services.deadlines.calendar import current_calendar
from app.services.deadlines.clocks import DEADLINE_MOVED, decided_at, pending_provisional_timers
from app.services.deadlines.limits import DECIDED_STATES, LOCAL_TZ, completed_state, parse_limit
from app.web.i18n import gettext as _
from app.web.i18n import list_separator

# "withdrawn" is no stored state (a withdrawn case keeps none: it was not decided); the pages show it for the
# deadline of a withdrawn case, whose clock stopped without an outcome.
WITHDRAWN = "withdrawn"
# Nor is RESUBMIT (cases.search, whose filter offers it): what the applicant's side reads for a case refused back
# to it (不予, waiting for an amended application). The authority's clock stopped there with an outcome (按时办结 /
# 超期办结, what officials read), which told the applicant his case was finished.
# Nor is PAUSED_OVERDUE: what 办件查询 shows for a case paused after its limit had passed (its overdue filter and the
# dashboard's red board count it late); stored, and in the API, it is "paused".
DEADLINE_STATES = {"on_time": "正常", "warning": "预警", "overdue": "超期", "paused": "暂停计时",
                   "completed_on_time": "按时办结", "completed_late": "超期办结", WITHDRAWN: "已撤回",
                   RESUBMIT: "待修改后重新申请", PAUSED_OVERDUE: "超期（暂停计时）"}
DEADLINE_BADGES = {"on_time": "text-bg-success", "warning": "text-bg-warning", "overdue": "text-bg-danger",
                   "paused": "text-bg-secondary", "completed_on_time": "text-bg-success",
                   "completed_late": "text-bg-danger", WITHDRAWN: "text-bg-secondary", RESUBMIT: "text-bg-warning",
                   PAUSED_OVERDUE: "text-bg-danger"}
# States whose clock no longer runs: no "remaining / overdue" countdown beside them.
STOPPED_STATES = frozenset({"paused", PAUSED_OVERDUE, "completed_on_time", "completed_late", WITHDRAWN, RESUBMIT})
STATUS_BADGES = {"running": "text-bg-primary", "waiting_for_applicant": "text-bg-warning",
                 "completed": "text-bg-success", "withdrawn": "text-bg-secondary",
                 "terminated": "text-bg-dark", "error": "text-bg-danger"}


# What the system does on its own (the engine, timers, clocks), whoever's action set it going: the timeline
# credits these to 系统, not to the user whose submission ran the step.
SYSTEM_EVENTS = frozenset({"task_created", "task_cancelled", "step_finished", "handler_ran", "error",
                           "timer_fired", "message_received", "signal_received", "error_caught",
                           "escalation_caught", "condition_met", "case_completed", "clock_started", "clock_paused",
                           "clock_resumed", "deadline_warning", "deadline_overdue", "statutory_overdue",
                           "timer_provisional", DEADLINE_MOVED})


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(LOCAL_TZ).strftime(fmt) if value else "—"


def time_left(due: datetime | None, now: datetime | None = None, limit: str | None = None) -> str:
    """"剩余 2 天 3 小时" or "已超期 5 小时" (calendar time; the state badge says which clock runs); for a limit
    in working days, working days of the calendar: "剩余 2 个工作日", "今日到期", "已超期 1 个工作日"."""
    if due is None:
        return _("无时限")
    now = now or utcnow()
    parsed = parse_limit(limit) if limit else None
    if parsed is not None and parsed.unit == "working_days":
        return working_days_left(due, now)
    seconds = int((due - now).total_seconds())
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    amount = _("{d} 天 {h} 小时", d=days, h=hours) if days else _("{h} 小时 {m} 分", h=hours, m=rest // 60)
    return _("剩余 {t}", t=amount) if seconds >= 0 else _("已超期 {t}", t=amount)


def working_days_left(due: datetime, now: datetime) -> str:
    """Working days from today (China time) to the due day, by the working-day calendar."""
    today, day = now.astimezone(LOCAL_TZ).date(), due.astimezone(LOCAL_TZ).date()
    calendar = current_calendar()
    if due >= now:
        days = calendar.working_days_between(today, day)
        return _("剩余 {n} 个工作日", n=days) if days else _("今日到期")
    days = calendar.working_days_between(day, today)
    if days:
        return _("已超期 {n} 个工作日", n=days)
    # No working day since the due day: due today, or the rest days after it (a weekend, 国庆), when "due today"
    # would be wrong.
    return _("已超期（今日到期）") if day == today else _("已超期（不足 1 个工作日）")


def limit_text(text: str | None) -> str:
    """A diagram's `dueIn` in words: "3 working days" -> "3 个工作日"."""
    limit = parse_limit(text) if text else None
    if limit is None or limit.unit == "duration":
        return text or ""
    unit = "个工作日" if limit.unit == "working_days" else "个自然日"
    return _("{n} " + unit, n=limit.amount)


def counting_down(state: str | None) -> bool:
    """Does the deadline's clock run, so that the time left to it (剩余 / 已超期) means something?"""
    return state not in STOPPED_STATES


def case_deadline_state(case: Case, viewer: Actor | None = None, paused_late: bool = False) -> str | None:
    """The state the pages and the export show for the case's deadline: a withdrawn case's is "withdrawn"
    (its clock stopped without a decision: neither running nor 按时办结); a case refused back to its applicant
    reads "resubmit" to the applicant's side (the viewer), the authority's outcome to officials; a paused case
    whose limit had passed before the pause reads PAUSED_OVERDUE where the caller knows it (`paused_late`: the
    search's FoundCases.paused_late), as the overdue filter finds it; otherwise the stored one."""
    if case.status == CaseStatus.WITHDRAWN:
        return WITHDRAWN
    if viewer is not None and refused_back(case) and on_applicant_side(viewer, case):
        return RESUBMIT
    if paused_late and case.deadline_state == "paused":
        return PAUSED_OVERDUE
    return case.deadline_state


def refused_back(case: Case) -> bool:
    """A refusal (不予) sent the case back to its applicant: the authority's clock stopped there with an outcome,
    and the case waits for an amended application, which starts the limit afresh."""
    return case.status == CaseStatus.WAITING_FOR_APPLICANT and case.deadline_state in DECIDED_STATES


def case_time_left(case: Case, now: datetime | None = None, limit: str | None = None) -> str:
    """The time left to the case's deadline, only while its clock runs ("" when paused, decided or closed)."""
    if case.due_at is None or case.completed_at is not None or not counting_down(case_deadline_state(case)):
        return ""
    return time_left(case.due_at, now, limit)


def deadline_class(due: datetime | None, state: str | None) -> str:
    if state in DEADLINE_BADGES:
        return DEADLINE_BADGES[state]
    if due is not None and due < utcnow():
        return DEADLINE_BADGES["overdue"]
    return "text-bg-light border"


# Why a case's clock stands still: a 补正 (paused, resumed with what was left), a step that does not count, or a
# refusal back to the applicant (stopped: decided; an amended application starts the limit afresh).
PAUSE_REASONS = {"supplement": "等待申请人补正", "excluded": "不计时环节办理中",
                 "refused": "不予决定，等待申请人修改后重新申请"}


def task_provisional(task: Task) -> bool:
    """The task's deadline crossed a year whose holidays are not entered yet (暂定)."""
    return bool((task.properties or {}).get("provisional_deadline"))


def case_clock(case: Case, applicant_side: bool = False) -> dict[str, Any] | None:
    """What the case page shows of the case's clock: the committed and statutory deadlines with their
    states, whether they are provisional (暂定), and the pause (暂停计时) with its reason; None without one.

    `applicant_side`: the viewer is on the case's applicant side, who reads a case refused back to him as waiting
    for his amended application (like 办件查询), not as decided (按时办结, what officials read); "refused_at" is then
    set to when the refusal stopped the clock."""
    clock = case.clock
    if clock is None:
        return None
    is_open = case.status in OPEN_STATUSES
    decided = decided_at(clock)  # a decision stopped the clock: what follows is not the authority's time
    paused = clock.paused_at is not None and is_open and decided is None
    resubmit = applicant_side and refused_back(case)
    rows = []
    if clock.committed_limit:
        late = paused and late_at_pause(case, clock)  # 超期（暂停计时）, as 办件查询 and the red board read it
        rows.append({"key": "committed", "title": "承诺时限", "limit": clock.committed_limit, "due_at": case.due_at,
                     "state": RESUBMIT if resubmit else case_deadline_state(case, paused_late=late)})
    statutory_due = case.statutory_due_at
    if clock.statutory_limit and statutory_due is not None:
        state = RESUBMIT if resubmit else statutory_state(case, clock, statutory_due, decided, paused)
        rows.append({"key": "statutory", "title": "法定时限", "limit": clock.statutory_limit,
                     "due_at": statutory_due, "state": state})
    return {"rows": rows, "provisional": bool(clock.provisional) and is_open, "paused": paused,
            "decided_at": decided if is_open and not resubmit else None,
            "refused_at": decided if resubmit else None,
            "pause_reason": PAUSE_REASONS.get(clock.pause_reason or "", ""), "paused_at": clock.paused_at}


def statutory_state(case: Case, clock: CaseClock, due: datetime, decided: datetime | None, paused: bool) -> str | None:
    """The state of the case's statutory deadline (`due`): decided, paused, or running."""
    if case.status == CaseStatus.WITHDRAWN:  # not decided: no outcome, on time or late
        return WITHDRAWN
    if case.status not in OPEN_STATUSES or decided is not None:
        return completed_state(decided or case.completed_at or utcnow(), due)
    if paused:
        return "paused"
    if not clock.committed_limit:  # the case's own state follows the statutory limit
        return case.deadline_state
    return "overdue" if clock.statutory_overdue or due < utcnow() else "on_time"


def timer_provisional(case: Case) -> bool:
    """The case's next timer was counted in working days on a provisional calendar."""
    return bool(pending_provisional_timers(case))


def event_detail(event: Event) -> str:
    """A line under a clock event in the case timeline: limits, the pause's reason, how the clock went on."""
    payload = event.payload or {}
    if event.kind == "clock_started":
        parts = [_("承诺时限") + " " + limit_text(payload.get("committed")) if payload.get("committed") else "",
                 _("法定时限") + " " + limit_text(payload.get("statutory")) if payload.get("statutory") else ""]
        return " · ".join(p for p in parts if p)
    if event.kind == "clock_stopped" and payload.get("reason") == "refused":
        return _("不予决定已作出：申请人可修改后重新申请，届时重新计时")
    if event.kind == "clock_paused":
        return _("原因：{reason}", reason=_(PAUSE_REASONS.get(payload.get("reason", ""), payload.get("reason", ""))))
    if event.kind == "clock_resumed":
        reason = _(PAUSE_REASONS.get(payload.get("reason", ""), ""))
        if payload.get("mode") == "restart" and payload.get("reason") == "refused":
            return _("申请人修改后重新申请，重新计时")
        if payload.get("mode") == "restart":
            return _("补正材料收到后重新计时（{reason}）", reason=reason)
        return _("继续计时，暂停期间 {n} 个工作日不计入时限（{reason}）", n=payload.get("excluded_workdays", 0),
                 reason=reason)
    if event.kind == DEADLINE_MOVED:
        return deadline_moved_detail(payload)
    if event.kind == "timer_provisional":
        return _("定于 {at}，{years} 年节假日安排尚未录入（暂定）",
                 at=local_time(datetime.fromisoformat(payload["due_at"])) if payload.get("due_at") else "—",
                 years=list_separator().join(str(y) for y in payload.get("years", [])))
    return ""


MOVED_DEADLINES = (("due_at", "办理时限"), ("statutory_due_at", "法定时限"), ("next_timer_at", "定时器时间"))


def calendar_cause(cause: dict[str, Any]) -> str:
    """The calendar change that moved a case's deadline, in words."""
    if cause.get("years"):
        return _("{years} 年节假日安排已录入", years=list_separator().join(str(y) for y in cause["years"]))
    day, name = cause.get("day"), cause.get("name") or ""
    if not day:
        return _("日历调整")
    if cause.get("cleared"):
        return _("{day} 的日历调整已撤销，按周末计算", day=day)
    if cause.get("workday"):
        return _("{day} 调整为工作日（{name}）", day=day, name=_(name)) if name else _("{day} 调整为工作日", day=day)
    return _("{day} 调整为休息日（{name}）", day=day, name=_(name)) if name else _("{day} 调整为休息日", day=day)


def deadline_moved_detail(payload: dict[str, Any]) -> str:
    """Why and how a calendar change moved the case's deadlines: "2026-12-07 调整为休息日（台风停工） · 办理时限由
    2026-12-09 17:30 调整为 2026-12-10 17:30"."""
    parts = [calendar_cause(payload.get("cause") or {})]
    for key, title in MOVED_DEADLINES:
        if key in payload:
            old, new = (local_time(datetime.fromisoformat(m)) if m else "—" for m in payload[key])
            parts.append(_("{title}由 {old} 调整为 {new}", title=_(title), old=old, new=new))
    return " · ".join(parts)


# A diagram element's type as the engine reports a step it ran (the sandbox's path lists them).
STEP_TYPE_TITLES = {
    "StartEvent": "开始事件", "EndEvent": "结束事件", "ExclusiveGateway": "排他网关", "ParallelGateway": "并行网关",
    "InclusiveGateway": "包容网关", "EventBasedGateway": "事件网关", "UserTask": "用户任务", "ServiceTask": "服务任务",
    "ScriptTask": "脚本任务", "BusinessRuleTask": "业务规则任务", "ManualTask": "人工任务", "SendTask": "发送任务",
    "ReceiveTask": "接收任务", "NoneTask": "任务", "CallActivity": "调用活动", "SubWorkflowTask": "子流程",
    "TransactionSubprocess": "事务子流程", "BoundaryEvent": "边界事件", "IntermediateCatchEvent": "中间捕获事件",
    "IntermediateThrowEvent": "中间抛出事件",
}


def document_title(document: CaseDocument) -> str:
    """A case document's title in the page's language: a refusal's English comes from its decision's choice
    (不予注销决定书 -> "Decision: Refuse the deregistration"), the fixed kinds' from the catalogue."""
    return bilingual_title(document.title, document.title_en)


def bilingual_title(title: str, english: str | None) -> str:
    """A title with its own English where it has one (a refusal's document), else the catalogue's."""
    return _(Bilingual(title, english)) if english else _(title)


def has_endpoint(name: str) -> bool:
    """Does the app serve this page (blueprints of other areas are optional)?"""
    return name in current_app.view_functions


def init_app(app: Flask) -> None:
    # `masked`: ID numbers and phones in free text (a comment, an external system's error), as free text is shown
    app.jinja_env.filters.update(local_time=local_time, time_left=time_left, limit_text=limit_text,
                                 masked=mask_shown_text)
    globals_: dict[str, Any] = {
        "DEADLINE_STATES": DEADLINE_STATES, "STATUS_TITLES": CASE_STATUS_TITLES, "STATUS_BADGES": STATUS_BADGES,
        "STEP_TYPE_TITLES": STEP_TYPE_TITLES, "ROLE_TITLES": ROLE_TITLES, "EVENT_TITLES": EVENT_TITLES,
        "document_title": document_title, "bilingual_title": bilingual_title,
        "deadline_class": deadline_class, "counting_down": counting_down, "case_deadline_state": case_deadline_state,
        "task_provisional": task_provisional, "case_clock": case_clock, "timer_provisional": timer_provisional,
        "event_detail": event_detail, "SYSTEM_EVENTS": SYSTEM_EVENTS,
        "has_endpoint": has_endpoint, "can_view_dashboard": can_view_dashboard,
        "is_province_admin": is_province_admin, "manages_procedures": manages_procedures,
    }
    app.jinja_env.globals.update(globals_)
