"""办件查询's export: the found cases as a table (CSV / Excel through the dashboard's formula-safe writer)."""
from __future__ import annotations

from app.db import utcnow
from app.models import CASE_STATUS_TITLES, Actor, Case, CaseStatus
from app.services.dashboard.tables import Column, Table
from app.services.procedures.versions import label_of
from app.web.i18n import gettext as _
from app.web.presenters import DEADLINE_STATES, case_deadline_state, case_time_left

COLUMNS = [("number", "办件编号"), ("procedure", "事项"), ("title", "办件标题"), ("applicant", "申请单位"),
           ("credit_code", "统一社会信用代码"), ("region_code", "地区代码"), ("status", "状态"),
           ("current_step", "当前步骤"), ("received_at", "收到时间"), ("due_at", "办理时限"),
           ("deadline_state", "时限状态"), ("time_left", "剩余时间"), ("completed_at", "办结时间")]


def _state_title(case: Case, viewer: Actor, paused_late: bool) -> str:
    state = case_deadline_state(case, viewer, paused_late)
    return _(DEADLINE_STATES[state]) if state in DEADLINE_STATES else ""


def cases_table(cases: list[Case], limits: dict[int, str], viewer: Actor,
                paused_late: frozenset[int] = frozenset()) -> Table:
    """One row per case, in the page's language; the deadline's state and remaining time as the list shows them
    (no countdown for a paused, decided or withdrawn case; 超期（暂停计时） for the paused ones in `paused_late`,
    the search's FoundCases.paused_late)."""
    now = utcnow()
    rows = [{
        "number": case.number, "procedure": _(label_of(case.procedure_version_id)[0]), "title": _(case.title),
        "applicant": case.applicant.name, "credit_code": case.applicant.credit_code or "",
        "region_code": case.region_code, "status": _(CASE_STATUS_TITLES.get(CaseStatus(case.status), case.status)),
        "current_step": _(case.current_step) if case.current_step else "", "received_at": case.received_at,
        "due_at": case.due_at,
        "deadline_state": _state_title(case, viewer, case.id in paused_late),
        "time_left": case_time_left(case, now, limits.get(case.id)),  # as the list: none once the clock stopped
        "completed_at": case.completed_at,
    } for case in cases]
    return Table("cases", _("办件查询"), [Column(key, _(title)) for key, title in COLUMNS], rows)
