"""Server-rendered pages (Jinja, Flask-Login sessions, CSRF); one blueprint per area."""
from flask import Flask

from app.web import (
    account,
    accounts,
    audit,
    auth,
    calendar,
    cases,
    dashboard,
    deliveries,
    documents,
    errors,
    exchange,
    home,
    i18n,
    inbox,
    integrity,
    notifications,
    operators,
    presenters,
    records,
    registration,
    spot_checks,
    tasks,
    tokens,
    workspace,
    workspace_decisions,
    workspace_drafts,
    workspace_forms,
    workspace_imports,
    workspace_sandbox,
    workspace_versions,
)


def register_web(app: Flask) -> None:
    i18n.init_app(app)
    errors.init_app(app)
    presenters.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(operators.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(exchange.bp)
    app.register_blueprint(deliveries.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(integrity.bp)
    app.register_blueprint(spot_checks.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(workspace_drafts.bp)
    app.register_blueprint(workspace_forms.bp)
    app.register_blueprint(workspace_decisions.bp)
    app.register_blueprint(workspace_versions.bp)
    app.register_blueprint(workspace_sandbox.bp)
    app.register_blueprint(workspace_imports.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(documents.bp)
