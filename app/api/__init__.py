"""JSON API /api/v1 (flask-smorest, OpenAPI at /api/v1/openapi.json)."""
from flask import Flask, Response, request
from sqlalchemy.orm.exc import StaleDataError

from app.api import (
    attachments,
    audit,
    cases,
    dashboard,
    documents,
    exchange,
    health,
    integrity,
    notifications,
    procedure_drafts,
    procedures,
    records,
    scopes,
    spot_checks,
    tasks,
    tokens,
)
from app.api.errors import domain_error_response, http_error_response
from app.api.schemas.common import ErrorSchema
from app.errors import DomainError, StaleCase
from app.extensions import api, csrf


def register_api(app: Flask) -> None:
    api.ERROR_SCHEMA = ErrorSchema  # error answers are documented as they are: {code, message, details}
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    scopes.init_app(app)
    modules = (procedures, procedure_drafts, cases, tasks, attachments, documents, records, integrity, spot_checks,
               dashboard, notifications, tokens, exchange, audit)
    for module in modules:
        csrf.exempt(module.blp)  # bearer tokens only: no ambient credentials to forge
        api.register_blueprint(module.blp)
    app.register_blueprint(health.bp)
    app.register_error_handler(StaleDataError, lambda exc: domain_error_response(StaleCase()))
    app.after_request(_no_content)


def _no_content(response: Response) -> Response:
    """A 204 has no body, hence no content type (RFC 9110): flask-smorest answers `@blp.response(204)` with
    jsonify(None), whose body werkzeug drops, leaving `Content-Type: application/json` over nothing."""
    if response.status_code == 204 and is_api_request(request.path):
        response.set_data(b"")
        for header in ("Content-Type", "Content-Length"):
            response.headers.remove(header)
    return response


def is_api_request(path: str) -> bool:
    """Answered in JSON, errors included: the API, and the health probe (read by load balancers)."""
    return path.startswith("/api/") or path == health.HEALTH_PATH


__all__ = ["DomainError", "domain_error_response", "http_error_response", "is_api_request", "register_api"]
