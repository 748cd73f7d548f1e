"""Data-level upgrades B → A and C → B → A (数据等级提升): start checks, level changes, national report."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.db import utcnow
from app.errors import Message, NotFound, RuleViolation
from app.integrations.outbox import enqueue
from app.models import DataLevel, Project
from app.services import audit
from app.services.cases import subjects
from app.services.procedures.registry import ChoiceContext, HandlerContext
from handlers import choices, handler, validator
from handlers.rules import FieldRefusal

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
UPGRADE_SCOPE = "data_upgrade"  # both kinds share one open application per project
# The case's title by procedure (stored in Chinese; the English pages read it by its template: app/web/stored_texts.py).
TITLES = {"data_upgrade_b_to_a": "数据等级B级提升为A级：{project}",
          "data_upgrade_c_to_a": "数据等级C级提升为A级：{project}"}
# A case's 异常 when the handler finds the data changed since the form was checked (a ValueError: the step fails)
PROJECT_GONE = "项目 {project} 不存在"
LEVEL_CHANGED = "项目 {code} 当前为{level}级，不是{expected}级，不能变更数据等级"
# The outcome of a refusal (`data.outcome.message`, stored in Chinese, read as the title is).
REFUSED_OUTCOME = "不予提升，项目数据等级保持{level}级。理由：{reason}"
NATIONAL_REPORT_KIND = "national_platform.data_level_change"
LEVEL_REFUSALS = {
    DataLevel.A: "该项目已是A级数据，无需提升",
    DataLevel.D: "该项目为D级数据，不能申请提升为A级",
}


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


@choices("upgrade.entered_projects")
def entered_projects(ctx: ChoiceContext) -> list[tuple[Any, str]]:
    """The projects the applicant's enterprise entered (原录入单位), with their current data level."""
    org_id = ctx.case.applicant_org_id if ctx.case else ctx.actor.organisation_id
    projects = ctx.session.scalars(select(Project).where(Project.entry_org_id == org_id)
                                   .order_by(Project.data_level, Project.code))
    return [(p.id, Message("{name}（{code}，当前{level}级）", name=p.name, code=p.code, level=p.data_level))
            for p in projects]


def _locked_project(ctx: HandlerContext, project_id: Any) -> Project | None:
    """The project, row-locked for this transaction (concurrent starts and level changes queue up)."""
    return ctx.session.scalar(select(Project).where(Project.id == project_id).with_for_update(of=Project)
                              .execution_options(populate_existing=True))


def _claim_project(ctx: HandlerContext, project: Project) -> None:
    """One open upgrade (of either kind) per project: refused with upgrade_case_open, naming the other case."""
    try:
        subjects.claim(ctx.case, UPGRADE_SCOPE, [f"project:{project.id}"],
                       "该项目已有办理中的数据等级提升申请（{number}），不能重复申请")
    except RuleViolation as exc:
        exc.code = "upgrade_case_open"
        raise


def _level_refusal(project: Project, expected: DataLevel) -> RuleViolation:
    if project.data_level in LEVEL_REFUSALS:
        message = LEVEL_REFUSALS[DataLevel(project.data_level)]
    elif expected == DataLevel.B:
        message = "该项目当前为C级数据，B级提升A级只适用于B级项目；请申请“数据等级C级提升为A级”"
    else:
        message = "该项目当前为B级数据，C级提升A级只适用于C级项目；请申请“数据等级B级提升为A级”"
    return RuleViolation(message, code=f"project_level_not_{expected.lower()}",
                         details={"project_level": project.data_level})


def _check_start(ctx: HandlerContext, expected: DataLevel) -> None:
    """Only the original entry unit, only a project at the expected level, one open upgrade per project."""
    project_id = ctx.data.get("project_id")
    project = _locked_project(ctx, project_id) if project_id else None
    if project is None:
        raise NotFound("未找到该项目", code="project_not_found")
    if project.entry_org_id != ctx.case.applicant_org_id:
        raise RuleViolation("只有该项目的原录入单位可以申请数据等级提升", code="not_entry_unit")
    if project.data_level != expected:
        raise _level_refusal(project, expected)
    _claim_project(ctx, project)
    ctx.case.region_code = project.region_code
    ctx.case.title = TITLES[ctx.case.procedure_key].format(project=project.name)
    ctx.case.data = {**(ctx.case.data or {}), "project_code": project.code, "project_name": project.name,
                     "project_region_code": project.region_code, "level_at_application": project.data_level}


@handler("upgrade.check_start_b")
def check_start_b(ctx: HandlerContext) -> None:
    _check_start(ctx, DataLevel.B)


@handler("upgrade.check_start_c")
def check_start_c(ctx: HandlerContext) -> None:
    _check_start(ctx, DataLevel.C)


def _project(ctx: HandlerContext, project_id: int, expected: DataLevel) -> Project:
    project = _locked_project(ctx, project_id)
    if project is None:
        raise ValueError(Message(PROJECT_GONE, project=project_id))
    if project.data_level != expected:
        raise ValueError(Message(LEVEL_CHANGED, code=project.code, level=format(project.data_level),
                                 expected=format(expected)))
    return project


@handler("upgrade.set_level_b")
def set_level_b(ctx: HandlerContext, project_id: int) -> dict[str, Any]:
    """The city approved a C → A application: B-level data is generated at once."""
    project = _project(ctx, project_id, DataLevel.C)
    project.data_level = DataLevel.B
    audit.record(ctx.actor, "record.project_level", "project", project.id, case=ctx.case.number,
                 before={"data_level": "C"}, after={"data_level": "B"})
    return {"level": "B", "at": utcnow().isoformat()}


@handler("upgrade.set_level_a")
def set_level_a(ctx: HandlerContext, project_id: int, verified_by: str) -> dict[str, Any]:
    """The province confirmed: the project becomes A and the change is queued for the national platform."""
    project = _project(ctx, project_id, DataLevel.B)
    project.data_level = DataLevel.A
    audit.record(ctx.actor, "record.project_level", "project", project.id, case=ctx.case.number,
                 before={"data_level": "B"}, after={"data_level": "A"})
    key = f"national-platform:data-level:{ctx.case.number}"
    enqueue(NATIONAL_REPORT_KIND, {
        "project_code": project.code, "permit_number": project.permit_number, "project_name": project.name,
        "region_code": project.region_code, "old_level": "B", "new_level": "A",
        "application_level": (ctx.case.data or {}).get("level_at_application"),
        "verified_by": verified_by, "case_number": ctx.case.number, "confirmed_at": utcnow().isoformat(),
    }, key, ctx.case.id)
    return {"level": "A", "reported": key, "message": "已确认，项目数据等级提升为A级，并已报送全国平台"}


@handler("upgrade.close_rejected")
def close_rejected(ctx: HandlerContext, project_id: int, reason: str) -> dict[str, Any]:
    """A refusal changes no level; the outcome names the level the project keeps and why."""
    project = ctx.session.get(Project, project_id)
    level = project.data_level if project else None
    return {"level": level, "message": REFUSED_OUTCOME.format(level=level, reason=reason)}


def _date(data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


@validator("upgrade.check_record")
def check_record(ctx: HandlerContext) -> dict[str, str]:
    """A verification record: dated between the application and today; 'consistent' only when every item is."""
    errors: dict[str, str] = {}
    day = _date(ctx.data, "verification_date")
    applied = _local_day(ctx.case.created_at) if ctx.case.created_at else None
    if day and day > _today():
        errors["verification_date"] = "核查日期不能晚于今天"
    elif day and applied and day < applied:
        errors["verification_date"] = Message("核查日期不能早于申请日期（{day}）", day=applied.isoformat())
    findings = ctx.data.get("findings") or {}
    if ctx.data.get("conclusion") == "consistent" and any(
            (item or {}).get("result") == "inconsistent" for item in findings.values()):
        errors["conclusion"] = "存在“不一致”的核查项，核查结论不能为“核查属实”"
    return errors


def require_consistent_verification(case_data: dict[str, Any], instead: str) -> None:
    """Confirming the upgrade needs a verification that found the declared performance true."""
    conclusion = case_data.get("conclusion")
    if conclusion == "consistent":
        return
    found = "核查不属实" if conclusion == "inconsistent" else "尚无核查结论"
    raise FieldRefusal("decision", Message("核查结论为“{found}”，不能确认提升为A级；{instead}", found=Message(found),
                                           instead=Message(instead)),
                       code="verification_inconsistent", details={"conclusion": conclusion})


@validator("upgrade.check_confirm")
def check_confirm(ctx: HandlerContext) -> dict[str, str]:
    """B → A: the province confirms only a verification (its own or the city's) that found the data true."""
    if ctx.data.get("decision") == "approve":
        require_consistent_verification(ctx.case.data or {}, "请选择不予提升并说明理由")
    return {}


@validator("upgrade.check_dispatch")
def check_dispatch(ctx: HandlerContext) -> dict[str, str]:
    """The stamped original is sent after the verification and not in the future."""
    day, verified = _date(ctx.data, "dispatch_date"), _date(ctx.case.data or {}, "verification_date")
    if day and day > _today():
        return {"dispatch_date": "寄送日期不能晚于今天"}
    if day and verified and day < verified:
        return {"dispatch_date": "寄送日期不能早于核查日期"}
    return {}


@validator("upgrade.check_receipt")
def check_receipt(ctx: HandlerContext) -> dict[str, str]:
    """Confirming needs a consistent verification and its stamped original received and agreeing; received
    after it was sent."""
    if ctx.data.get("decision") == "approve":
        require_consistent_verification(ctx.case.data or {}, "请选择不予提升，或退回市级重新核查")
        if not ctx.data.get("original_received"):
            return {"original_received": "尚未收到盖章的核查记录表原件，不能确认提升"}
        if not ctx.data.get("original_consistent"):
            return {"original_consistent": "原件与系统中的核查记录不一致，不能确认提升"}
    day, sent = _date(ctx.data, "received_date"), _date(ctx.case.data or {}, "dispatch_date")
    if day and day > _today():
        return {"received_date": "收件日期不能晚于今天"}
    if day and sent and day < sent:
        return {"received_date": "收件日期不能早于寄送日期"}
    return {}


# texts stored in Chinese (app/services/stored_texts.py)
STORED_TEXTS = (*TITLES.values(), REFUSED_OUTCOME, PROJECT_GONE, LEVEL_CHANGED)
