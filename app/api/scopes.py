"""The scope each API operation needs from the caller's token, in one table: `read` for what only reads,
`write` for every change. An operation missing here needs `write` (tests/api/test_token_scopes.py fails
for a route without an entry)."""
from __future__ import annotations

from flask import Flask, g, request

from app.auth import REQUIRED_SCOPE
from app.errors import NotAuthenticated

READ, WRITE = "read", "write"

OPERATION_SCOPES: dict[tuple[str, str], str] = {
    ("api_procedures.Procedures", "GET"): READ,
    ("api_procedures.ProcedureResource", "GET"): READ,
    ("api_procedures.VersionFiles", "GET"): READ,
    ("api_procedures.VersionDecisions", "GET"): READ,
    ("api_procedures.Conversions", "POST"): READ,  # converts and checks, stores nothing
    ("api_procedures.SandboxRuns", "GET"): READ,
    ("api_procedures.SandboxRuns", "POST"): WRITE,
    ("api_procedures.SandboxRuns", "DELETE"): WRITE,
    ("api_procedures.SandboxRunResource", "GET"): READ,
    ("api_procedures.SandboxRunResource", "DELETE"): WRITE,
    ("api_procedures.SandboxTaskComplete", "POST"): WRITE,
    ("api_procedures.Versions", "POST"): WRITE,  # a dry run too: the caller means to deploy
    ("api_procedures.CurrentVersion", "POST"): WRITE,
    ("api_procedures.Migrations", "POST"): WRITE,
    ("api_procedure_drafts.Drafts", "GET"): READ,
    ("api_procedure_drafts.Drafts", "POST"): WRITE,
    ("api_procedure_drafts.DraftResource", "GET"): READ,
    ("api_procedure_drafts.DraftResource", "PUT"): WRITE,
    ("api_procedure_drafts.DraftResource", "DELETE"): WRITE,
    ("api_procedure_drafts.DraftCheck", "POST"): READ,  # a dry run: it stores nothing
    ("api_procedure_drafts.DraftDeploy", "POST"): WRITE,
    ("api_cases.Cases", "GET"): READ,
    ("api_cases.Cases", "POST"): WRITE,
    ("api_cases.CaseResource", "GET"): READ,
    ("api_cases.CaseWithdraw", "POST"): WRITE,
    ("api_cases.CaseRetry", "POST"): WRITE,
    ("api_tasks.Tasks", "GET"): READ,
    ("api_tasks.TaskResource", "GET"): READ,
    ("api_tasks.TaskClaim", "POST"): WRITE,
    ("api_tasks.TaskUnclaim", "POST"): WRITE,
    ("api_tasks.TaskAssign", "POST"): WRITE,
    ("api_tasks.TaskCandidates", "GET"): READ,
    ("api_tasks.TaskComplete", "POST"): WRITE,
    ("api_attachments.Attachments", "GET"): READ,
    ("api_attachments.Attachments", "POST"): WRITE,
    ("api_attachments.AttachmentResource", "GET"): READ,
    ("api_attachments.AttachmentResource", "DELETE"): WRITE,
    ("api_documents.Documents", "GET"): READ,
    ("api_documents.DocumentDownload", "GET"): READ,
    ("api_records.Enterprises", "GET"): READ,
    ("api_records.EnterpriseResource", "GET"): READ,
    ("api_records.Persons", "GET"): READ,
    ("api_records.PersonResource", "GET"): READ,
    ("api_records.Projects", "GET"): READ,
    ("api_records.ProjectResource", "GET"): READ,
    ("api_records.Locks", "GET"): READ,
    ("api_records.PerformanceRecords", "GET"): READ,
    ("api_records.PerformanceRecordResource", "GET"): READ,
    ("api_integrity.EnterpriseIntegrity", "GET"): READ,
    ("api_spot_checks.Draws", "POST"): WRITE,  # a dry run too: the caller means to draw
    ("api_spot_checks.Draws", "GET"): READ,
    ("api_spot_checks.DrawResource", "GET"): READ,
    ("api_spot_checks.Notices", "GET"): READ,
    ("api_dashboard.Dashboard", "GET"): READ,
    ("api_dashboard.DashboardTable", "GET"): READ,
    ("api_dashboard.DashboardExport", "GET"): READ,
    ("api_notifications.Notifications", "GET"): READ,
    ("api_notifications.NotificationsRead", "POST"): WRITE,
    ("api_notifications.Undelivered", "GET"): READ,
    ("api_notifications.UndeliveredResend", "POST"): WRITE,
    ("api_tokens.Tokens", "GET"): READ,
    ("api_tokens.Tokens", "POST"): WRITE,
    ("api_tokens.TokenResource", "DELETE"): WRITE,
    ("api_exchange.Inbound", "POST"): WRITE,  # signed by the sending system, no token (HMAC)
    ("api_exchange.Systems", "GET"): READ,
    ("api_exchange.SystemHealth", "GET"): READ,
    ("api_exchange.Messages", "GET"): READ,
    ("api_exchange.MessageResend", "POST"): WRITE,
    ("api_exchange.SystemResend", "POST"): WRITE,
    ("api_exchange.InboundMessages", "GET"): READ,
    ("api_audit.AuditLog", "GET"): READ,
    ("api_audit.AuditExport", "GET"): READ,
}


def required_scope(endpoint: str | None, method: str) -> str:
    method = "GET" if method == "HEAD" else method
    return OPERATION_SCOPES.get((endpoint or "", method), WRITE)


# Operations that authenticate otherwise than by a bearer token (the sending system's HMAC signature).
WITHOUT_TOKEN = frozenset({"api_exchange.Inbound"})


def init_app(app: Flask) -> None:
    @app.before_request
    def note_required_scope() -> None:
        if request.blueprint and request.blueprint.startswith("api_"):
            g.setdefault(REQUIRED_SCOPE, required_scope(request.endpoint, request.method))
            # A caller without a token is told so before his request body is parsed and judged.
            if request.endpoint not in WITHOUT_TOKEN and "Authorization" not in request.headers:
                raise NotAuthenticated("缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌", code="token_missing")
