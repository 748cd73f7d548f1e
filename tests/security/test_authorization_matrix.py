"""The authorization matrix, generated from the route table: every page and API operation (app.url_map) ×
every kind of caller, against the expected status in RULES. A route without a rule fails the test, so a new
route comes with its authorization stated.

The callers (COLUMNS): the applicant enterprise (own organisation), another enterprise, the reviewers of the
case's city and of another city, the province, the analyst, the auditor, the admin, anonymous. The objects:
a Nanning unlock case of ent-nanning waiting for its city's review, with an attachment, and ent-nanning's
tokens, records and account. Each caller runs in a transaction of its own (rolled back), the reading
requests first, then the changing ones in the table's order (withdrawals and sign-out last)."""
from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import unit_of_work
from app.extensions import db
from app.models import ApiToken, CaseDocument, Organisation, PerformanceRecord, Person, Project, User
from app.services.identity.accounts import get_user_by_username, issue_token
from tests.api.test_case_lifecycle import start_and_submit
from tests.support.api import PDF_BYTES, ApiUser
from tests.support.web import WebUser, csrf_token

COLUMNS = ("own_org", "other_org", "own_city", "other_city", "province", "analyst", "auditor", "admin", "anonymous")
USERS = {"own_org": "ent-nanning", "other_org": "ent-liuzhou", "own_city": "city-nanning",
         "other_city": "city-liuzhou", "province": "province", "analyst": "analyst", "auditor": "auditor",
         "admin": "admin", "anonymous": None}
MUTATING_LAST = ("workspace_forms.delete", "api_procedure_drafts.DraftResource", "workspace_drafts.delete",
                 "api_cases.CaseWithdraw", "cases.withdraw", "i18n.switch", "auth.logout")

# (endpoint, method): the expected status per column, in COLUMNS order:
#        own_org other_org own_city other_city province analyst auditor admin anonymous
# 404: outside the caller's jurisdiction (the object is not his to know of); 403: a role the operation is not
# for; 401 / 302 to the sign-in: anonymous. A 2xx, 302 or 409/422 (refused on the merits) is an allowed caller.
# `MATRIX_RECORD=1 pytest tests/security/test_authorization_matrix.py -s` prints what the app answers now.
RULES: dict[tuple[str, str], str] = {
    ("account.password", "GET"): "200 200 200 200 200 200 200 200 302",
    ("account.password", "POST"): "422 422 422 422 422 422 422 422 302",
    ("accounts.act", "POST"): "403 403 403 403 403 403 403 302 302",
    ("accounts.edit", "GET"): "403 403 403 403 403 403 403 200 302",
    ("accounts.edit", "POST"): "403 403 403 403 403 403 403 422 302",
    ("accounts.index", "GET"): "403 403 403 403 403 403 403 200 302",
    ("accounts.new", "GET"): "403 403 403 403 403 403 403 200 302",
    ("accounts.new", "POST"): "403 403 403 403 403 403 403 422 302",
    ("api-docs.openapi_json", "GET"): "200 200 200 200 200 200 200 200 200",
    ("api_attachments.AttachmentResource", "GET"): "200 404 200 404 200 404 404 200 401",
    # the case's attachment was submitted: its uploader is refused on the merits (422), others may not (403)
    ("api_attachments.AttachmentResource", "DELETE"): "422 404 403 404 403 404 404 403 401",
    ("api_attachments.Attachments", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_attachments.Attachments", "POST"): "201 404 201 404 403 404 404 403 401",
    ("api_audit.AuditExport", "GET"): "403 403 403 403 403 403 200 403 401",
    ("api_audit.AuditLog", "GET"): "403 403 403 403 403 403 200 403 401",
    ("api_cases.CaseResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_cases.CaseRetry", "POST"): "403 403 403 403 403 403 403 422 401",
    ("api_cases.CaseWithdraw", "POST"): "200 404 403 404 403 404 404 403 401",
    ("api_cases.Cases", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_cases.Cases", "POST"): "201 201 403 403 403 403 403 403 401",
    ("api_dashboard.Dashboard", "GET"): "403 403 200 200 200 200 403 200 401",
    ("api_dashboard.DashboardExport", "GET"): "403 403 200 200 200 200 403 200 401",
    ("api_dashboard.DashboardTable", "GET"): "403 403 200 200 200 200 403 200 401",
    ("api_documents.DocumentDownload", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_documents.Documents", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_exchange.Inbound", "POST"): "401 401 401 401 401 401 401 401 401",
    ("api_exchange.InboundMessages", "GET"): "403 403 403 403 403 403 403 200 401",
    ("api_exchange.MessageResend", "POST"): "403 403 403 403 403 403 403 404 401",
    ("api_exchange.Messages", "GET"): "403 403 403 403 403 403 403 200 401",
    ("api_exchange.SystemHealth", "GET"): "403 403 403 403 403 403 403 200 401",
    ("api_exchange.Systems", "GET"): "403 403 403 403 403 403 403 200 401",
    ("api_exchange.SystemResend", "POST"): "403 403 403 403 403 403 403 200 401",
    ("api_integrity.EnterpriseIntegrity", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_notifications.Notifications", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_notifications.NotificationsRead", "POST"): "200 200 200 200 200 200 200 200 401",
    ("api_notifications.Undelivered", "GET"): "403 403 403 403 403 403 403 200 401",
    # a delivery no caller has: a 404 for the admins, who may re-send one of their region's users
    ("api_notifications.UndeliveredResend", "POST"): "403 403 403 403 403 403 403 404 401",
    ("api_procedure_drafts.DraftCheck", "POST"): "403 403 403 403 403 200 403 200 401",
    # with a note, naming a version the draft does not replace: refused on the merits (409), the draft kept
    ("api_procedure_drafts.DraftDeploy", "POST"): "403 403 403 403 403 409 403 409 401",
    ("api_procedure_drafts.DraftResource", "DELETE"): "403 403 403 403 403 204 403 204 401",
    ("api_procedure_drafts.DraftResource", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedure_drafts.DraftResource", "PUT"): "403 403 403 403 403 404 403 404 401",
    ("api_procedure_drafts.Drafts", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedure_drafts.Drafts", "POST"): "403 403 403 403 403 201 403 201 401",
    ("api_procedures.Conversions", "POST"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.CurrentVersion", "POST"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.Migrations", "POST"): "403 403 403 403 403 422 403 422 401",
    ("api_procedures.ProcedureResource", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.Procedures", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_procedures.SandboxRunResource", "DELETE"): "403 403 403 403 403 404 403 404 401",
    ("api_procedures.SandboxRunResource", "GET"): "403 403 403 403 403 404 403 404 401",
    ("api_procedures.SandboxRuns", "DELETE"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.SandboxRuns", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.SandboxRuns", "POST"): "403 403 403 403 403 422 403 422 401",
    ("api_procedures.SandboxTaskComplete", "POST"): "403 403 403 403 403 404 403 404 401",
    ("api_procedures.VersionDecisions", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.VersionFiles", "GET"): "403 403 403 403 403 200 403 200 401",
    ("api_procedures.Versions", "POST"): "403 403 403 403 403 200 403 200 401",
    ("api_records.EnterpriseResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_records.Enterprises", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_records.Locks", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_records.PerformanceRecordResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_records.PerformanceRecords", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_records.PersonResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_records.Persons", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_records.ProjectResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_records.Projects", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_spot_checks.Draws", "POST"): "403 403 200 200 200 403 403 403 401",
    ("api_spot_checks.Draws", "GET"): "403 403 200 200 200 403 403 403 401",
    # a draw no caller has: a 404 for those who may see draws
    ("api_spot_checks.DrawResource", "GET"): "403 403 404 404 404 403 403 403 401",
    ("api_spot_checks.Notices", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_tasks.TaskAssign", "POST"): "403 404 200 404 200 404 404 200 401",
    # whom the task may be assigned to: those who may assign it (assign's rule)
    ("api_tasks.TaskCandidates", "GET"): "403 404 200 404 200 404 404 200 401",
    ("api_tasks.TaskClaim", "POST"): "403 404 200 404 403 404 404 403 401",
    ("api_tasks.TaskComplete", "POST"): "403 404 422 404 409 404 404 409 401",
    ("api_tasks.TaskResource", "GET"): "200 404 200 404 200 404 404 200 401",
    ("api_tasks.TaskUnclaim", "POST"): "403 404 200 404 200 404 404 200 401",
    ("api_tasks.Tasks", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_tokens.TokenResource", "DELETE"): "204 404 404 404 404 404 404 204 401",
    ("api_tokens.Tokens", "GET"): "200 200 200 200 200 200 200 200 401",
    ("api_tokens.Tokens", "POST"): "201 201 201 201 201 201 201 201 401",
    ("audit.export", "GET"): "403 403 403 403 403 403 200 403 302",
    ("audit.index", "GET"): "403 403 403 403 403 403 200 403 302",
    ("auth.code", "GET"): "302 302 302 302 302 302 302 302 302",
    ("auth.code", "POST"): "302 302 302 302 302 302 302 302 302",
    ("auth.login", "GET"): "302 302 302 302 302 302 302 302 200",
    ("auth.login", "POST"): "401 401 401 401 401 401 401 401 401",
    ("auth.logout", "POST"): "302 302 302 302 302 302 302 302 302",
    ("auth.alive", "GET"): "204 204 204 204 204 204 204 204 302",
    ("auth.resend", "POST"): "302 302 302 302 302 302 302 302 302",
    ("calendar.confirm", "POST"): "403 403 403 403 403 403 403 302 302",
    ("calendar.index", "GET"): "403 403 403 403 403 403 403 200 302",
    ("calendar.set_day", "POST"): "403 403 403 403 403 403 403 302 302",
    ("cases.comment", "POST"): "302 404 302 404 302 404 404 302 302",
    ("cases.remove_attachment", "POST"): "422 404 403 404 403 404 404 403 302",
    ("cases.download", "GET"): "200 404 200 404 200 404 404 200 302",
    ("cases.export_cases", "GET"): "200 200 200 200 200 200 200 200 302",
    ("cases.index", "GET"): "200 200 200 200 200 200 200 200 302",
    ("cases.show", "GET"): "200 404 200 404 200 404 404 200 302",
    ("cases.retry", "POST"): "403 403 403 403 403 403 403 422 302",  # admins only; the case is not in error
    ("cases.start", "POST"): "302 302 403 403 403 403 403 403 302",
    ("cases.start_form", "GET"): "302 302 403 403 403 403 403 403 302",  # refused before it is filled in
    ("cases.withdraw", "POST"): "422 404 403 404 403 404 404 403 302",
    ("dashboard.export_table", "GET"): "403 403 200 200 200 200 403 200 302",
    ("dashboard.index", "GET"): "403 403 200 200 200 200 403 200 302",
    ("deliveries.index", "GET"): "403 403 403 403 403 403 403 200 302",
    ("deliveries.resend", "POST"): "403 403 403 403 403 403 403 404 302",
    ("documents.download", "GET"): "200 404 200 404 200 404 404 200 302",
    ("documents.verify", "GET"): "200 200 200 200 200 200 200 200 200",
    ("exchange.inbound", "GET"): "403 403 403 403 403 403 403 200 302",
    ("exchange.index", "GET"): "403 403 403 403 403 403 403 200 302",
    ("exchange.resend", "POST"): "403 403 403 403 403 403 403 404 302",
    ("exchange.resend_system", "POST"): "403 403 403 403 403 403 403 302 302",
    ("health.healthz", "GET"): "200 200 200 200 200 200 200 200 200",
    ("home.index", "GET"): "200 200 302 302 302 200 200 200 302",
    ("i18n.switch", "GET"): "302 302 302 302 302 302 302 302 302",
    ("inbox.index", "GET"): "200 200 200 200 200 200 200 200 302",
    ("integrity.index", "GET"): "200 200 200 200 200 200 200 200 302",
    ("notifications.index", "GET"): "200 200 200 200 200 200 200 200 302",
    ("notifications.read", "POST"): "302 302 302 302 302 302 302 302 302",
    ("operators.act", "POST"): "422 404 403 403 403 403 403 403 302",
    ("operators.add", "POST"): "422 422 403 403 403 403 403 403 302",
    ("operators.index", "GET"): "200 200 403 403 403 403 403 403 302",
    ("records.index", "GET"): "200 200 200 200 200 403 403 200 302",
    ("records.performance_record", "GET"): "200 404 200 404 200 403 403 200 302",
    ("registration.amount", "GET"): "404 404 404 404 404 404 404 404 404",
    ("registration.amount", "POST"): "404 404 404 404 404 404 404 404 404",
    ("registration.authorise", "GET"): "404 404 404 404 404 404 404 404 404",
    ("registration.authorise", "POST"): "404 404 404 404 404 404 404 404 404",
    ("registration.enterprise", "GET"): "200 200 200 200 200 200 200 200 200",
    ("registration.enterprise", "POST"): "422 422 422 422 422 422 422 422 422",
    ("registration.individual", "GET"): "200 200 200 200 200 200 200 200 200",
    ("registration.individual", "POST"): "422 422 422 422 422 422 422 422 422",
    ("registration.operator", "GET"): "404 404 404 404 404 404 404 404 404",
    ("registration.operator", "POST"): "404 404 404 404 404 404 404 404 404",
    ("spot_checks.draw", "POST"): "403 403 302 302 302 403 403 403 302",  # to the draw's page
    ("spot_checks.index", "GET"): "403 403 200 200 200 403 403 403 302",
    ("spot_checks.preview", "POST"): "403 403 200 200 200 403 403 403 302",
    ("spot_checks.show", "GET"): "403 403 404 404 404 403 403 403 302",
    ("tasks.assign", "POST"): "403 404 302 404 302 404 404 302 302",
    ("tasks.claim", "POST"): "403 404 302 404 403 404 404 403 302",
    ("tasks.complete", "POST"): "403 404 422 404 409 404 404 409 302",
    ("tasks.show", "GET"): "200 404 200 404 200 404 404 200 302",
    ("tasks.unclaim", "POST"): "403 404 302 404 302 404 404 302 302",
    ("tokens.administered", "GET"): "403 403 403 403 403 403 403 200 302",
    ("tokens.create", "POST"): "200 200 200 200 200 200 200 200 302",
    ("tokens.index", "GET"): "200 200 200 200 200 200 200 200 302",
    ("tokens.revoke", "POST"): "302 404 404 404 404 404 404 302 302",
    ("workspace.index", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace.make_current", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace.procedure", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace.version", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace.version_zip", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_decisions.create", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_decisions.edit", "GET"): "403 403 403 403 403 404 403 404 302",
    ("workspace_drafts.check", "POST"): "403 403 403 403 403 200 403 200 302",
    ("workspace_drafts.create", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_drafts.delete", "POST"): "403 403 403 403 403 404 403 404 302",
    ("workspace_drafts.deploy", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_drafts.save", "POST"): "403 403 403 403 403 400 403 400 302",
    ("workspace_drafts.show", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_forms.create", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_forms.delete", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_forms.edit", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_forms.preview", "POST"): "403 403 403 403 403 400 403 400 302",
    ("workspace_imports.form", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_imports.upload", "POST"): "403 403 403 403 403 422 403 422 302",
    ("workspace_sandbox.complete", "POST"): "403 403 403 403 403 404 403 404 302",
    ("workspace_sandbox.delete", "POST"): "403 403 403 403 403 404 403 404 302",
    ("workspace_sandbox.index", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_sandbox.show", "GET"): "403 403 403 403 403 404 403 404 302",
    ("workspace_sandbox.start", "POST"): "403 403 403 403 403 302 403 302 302",
    ("workspace_versions.diff", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_versions.migration", "GET"): "403 403 403 403 403 200 403 200 302",
    ("workspace_versions.migration", "POST"): "403 403 403 403 403 200 403 200 302",
}


@dataclass
class World:
    ids: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(app: Flask, as_user: Callable[[str], ApiUser]) -> World:
    ent = as_user("ent-nanning")
    case_id, _ = start_and_submit(ent)
    review = as_user("city-nanning").task_for(case_id)
    assert review is not None
    attachment = ent.get(f"/api/v1/cases/{case_id}/attachments").json[0]["id"]
    draft = as_user("analyst").post("/api/v1/procedures/personnel_unlock/drafts", {}).json["id"]
    with app.app_context():
        with unit_of_work():
            owner = get_user_by_username("ent-nanning")
            issue_token(owner, name="matrix-page"), issue_token(owner, name="matrix-api")
        org = db.session.scalar(select(Organisation.id).where(Organisation.name.like("%邕城%")))
        tokens = list(db.session.scalars(select(ApiToken.id).where(ApiToken.name.like("matrix-%"))
                                         .order_by(ApiToken.id)))
        document = db.session.scalar(select(CaseDocument.id).where(CaseDocument.case_id == case_id).limit(1))
        ids = {"case_id": case_id, "document_id": document, "draft_id": draft, "task_id": review["id"],
               "attachment_id": attachment,
               "token_page": tokens[0], "token_api": tokens[1], "enterprise_id": org,
               "person_id": db.session.scalar(select(Person.id).where(Person.name == "陆伟")),
               "project_id": db.session.scalar(select(Project.id).where(Project.region_code == "450100").limit(1)),
               "record_id": db.session.scalar(select(PerformanceRecord.id).where(
                   PerformanceRecord.enterprise_id == org).limit(1)),
               "ent_user": db.session.scalar(select(User.id).where(User.username == "ent-nanning")),
               "city_user": db.session.scalar(select(User.id).where(User.username == "city-liuzhou")),
               "city_nanning": db.session.scalar(select(User.id).where(User.username == "city-nanning"))}
    return World(ids)


def _path(rule: Any, ids: dict[str, Any]) -> str:
    values = {"case_id": ids["case_id"], "task_id": ids["task_id"], "attachment_id": ids["attachment_id"],
              "enterprise_id": ids["enterprise_id"], "person_id": ids["person_id"], "project_id": ids["project_id"],
              "record_id": ids["record_id"], "key": "personnel_unlock", "number": 1, "name": "overdue_tasks",
              "fmt": "csv", "year": 2026, "language": "en", "token": "not-a-real-invitation", "action": "resume",
              # the case's document and an analyst's draft; objects no caller has (a 404 where the role may
              # reach them, else its refusal)
              "draft_id": ids["draft_id"], "document_id": ids["document_id"],
              "run_id": 1, "message_id": 1, "system": "national_platform",
              "form_key": "unlock_request", "table": "no_such_table", "code": "0000-0000-0000-0000",
              "section": "performance", "draw_id": 999999, "source": "notification", "delivery_id": 999999}
    if rule.endpoint in ("accounts.act", "accounts.edit"):
        values["user_id"] = ids["city_user"]
    elif rule.endpoint == "operators.act":
        values["user_id"] = ids["ent_user"]
    if rule.endpoint == "tokens.revoke":
        values["token_id"] = ids["token_page"]
    elif rule.endpoint == "api_tokens.TokenResource":
        values["token_id"] = ids["token_api"]
    path = str(rule.build(values, append_unknown=False)[1])
    return path + f"?draft_id={ids['draft_id']}" if rule.endpoint == "api_procedures.SandboxRuns" else path


def _api_body(endpoint: str, ids: dict[str, Any]) -> dict[str, Any] | None:
    return {
        "api_cases.Cases": {"procedure": "personnel_unlock", "data": {}},
        "api_cases.CaseRetry": {}, "api_cases.CaseWithdraw": {"reason": "矩阵测试"},
        "api_notifications.NotificationsRead": {},
        "api_procedures.CurrentVersion": {"version": 1, "note": "矩阵测试"},
        "api_procedure_drafts.DraftDeploy": {"note": "矩阵测试", "replacing": 2},
        "api_procedures.Migrations": {"from_version": 1, "to_version": 1, "dry_run": True},
        "api_procedures.Versions": {"files": {}, "dry_run": True},
        "api_tasks.TaskAssign": {"user_id": ids["city_nanning"]},
        "api_tasks.TaskComplete": {"data": {}},
        "api_tokens.Tokens": {"scopes": ["read"], "days": 1},
        "api_procedures.Conversions": {"files": {"bpmn/x.bpmn": "<x/>"}},
        "api_spot_checks.Draws": {"sample_size": 1, "exclude_months": 0, "seed": "matrix", "dry_run": True},
    }.get(endpoint, {})


def _page_form(endpoint: str, ids: dict[str, Any]) -> dict[str, str]:
    return {"cases.comment": {"comment": "矩阵测试"}, "cases.withdraw": {"reason": "矩阵测试"},
            "tokens.create": {"days": "1", "scopes": "read"}, "calendar.set_day": {"day": "2026-12-31"},
            "spot_checks.preview": {"sample_size": "1", "exclude_months": "0"},
            "spot_checks.draw": {"sample_size": "1", "exclude_months": "0"},
            "tasks.assign": {"user_id": str(ids["city_nanning"])}}.get(endpoint, {})


def _operations(app: Flask) -> list[tuple[Any, str]]:
    ops = [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
           for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return sorted(ops, key=lambda op: (op[1] != "GET", op[0].endpoint in MUTATING_LAST,
                                       MUTATING_LAST.index(op[0].endpoint) if op[0].endpoint in MUTATING_LAST else 0,
                                       op[0].endpoint, op[1]))


class Caller:
    def __init__(self, app: Flask, username: str | None) -> None:
        self.client: FlaskClient = app.test_client()
        self.csrf, self.headers = csrf_token(self.client.get("/login").get_data(as_text=True)), {}
        if username is not None:
            web = WebUser(app, username).login()
            self.client, self.csrf = web.client, web.token
            with app.app_context(), unit_of_work():
                self.headers = {"Authorization": f"Bearer {issue_token(get_user_by_username(username))}"}

    def call(self, rule: Any, method: str, path: str, ids: dict[str, Any]) -> int:
        if rule.endpoint.startswith("api_") or rule.endpoint == "api-docs.openapi_json":
            if rule.endpoint == "api_attachments.Attachments" and method == "POST":
                return self.client.post(path, headers=self.headers, content_type="multipart/form-data",
                                        data={"file": (io.BytesIO(PDF_BYTES), "矩阵.pdf")}).status_code
            body = _api_body(rule.endpoint, ids) if method != "GET" else None
            return self.client.open(path, method=method, headers=self.headers, json=body).status_code
        data = {**_page_form(rule.endpoint, ids), "csrf_token": self.csrf} if method != "GET" else None
        return self.client.open(path, method=method, data=data).status_code


def _run(app: Flask, column: str, world: World) -> Iterator[tuple[tuple[str, str], int]]:
    caller = Caller(app, USERS[column])
    for rule, method in _operations(app):
        yield (rule.endpoint, method), caller.call(rule, method, _path(rule, world.ids), world.ids)


def test_every_route_has_a_rule(app: Flask) -> None:
    operations = {(rule.endpoint, method) for rule, method in _operations(app)}
    missing = sorted(operations - set(RULES))
    assert not missing, f"routes without an authorization rule in RULES: {missing}"
    assert not sorted(set(RULES) - operations), "rules for routes that no longer exist"


@pytest.mark.parametrize("column", COLUMNS)
def test_the_authorization_matrix(app: Flask, world: World, column: str) -> None:
    index = COLUMNS.index(column)
    got = dict(_run(app, column, world))
    if os.environ.get("MATRIX_RECORD"):
        print(f"\nMATRIX {column} " + repr(got))
        return
    wrong = {op: (status, RULES[op].split()[index]) for op, status in got.items()
             if op in RULES and str(status) != RULES[op].split()[index]}
    assert not wrong, f"{column}: (got, expected) {wrong}"
    assert all(status < 500 for status in got.values())
