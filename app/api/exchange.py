"""Data exchange: the signed inbound endpoint other systems call, and (admins) the outbox, dead letters
and inbound results."""
from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.common import page_answer
from app.api.schemas.exchange import (
    HealthSchema,
    InboundListArgsSchema,
    InboundPageSchema,
    InboundResultSchema,
    OutboxListArgsSchema,
    OutboxMessageSchema,
    OutboxPageSchema,
    SystemListSchema,
    SystemResendSchema,
)
from app.auth import bearer_actor
from app.integrations.exchange import SYSTEMS, make_connector, schemas, setting
from app.integrations.exchange.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from app.log_masking import mask_text
from app.models import InboundMessage, OutboxMessage
from app.policy import require_admin
from app.routing import ID
from app.services.cases.free_text import free_text_keys, masked_free_text
from app.services.exchange import admin as service
from app.services.exchange import inbound
from app.services.records.identifiers import mask_id_number, masked_personal_data

blp = Blueprint("api_exchange", __name__, url_prefix="/api/v1/exchange", description="数据交换")

SIGNED = {"security": [], "parameters": [
    {"in": "header", "name": TIMESTAMP_HEADER, "required": True, "schema": {"type": "string"},
     "description": "Unix seconds; refused outside the replay window (±300 s)"},
    {"in": "header", "name": SIGNATURE_HEADER, "required": True, "schema": {"type": "string"},
     "description": "hex HMAC-SHA256 with the system's key over `<timestamp>.<raw body>`; a signature is "
                    "accepted once"}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "description": "the envelope: message_id, kind, schema_version, occurred_at, "
                                         "version (optional), payload (see app/integrations/exchange/schemas)"}}}}}


OUTBOX_FIELDS = ("id", "kind", "target", "status", "attempts", "aggregate_key", "idempotency_key", "case_id",
                 "created_at", "sent_at", "next_attempt_at", "acknowledgement")
INBOUND_FIELDS = ("id", "system", "message_id", "kind", "channel", "version", "status", "result_code", "case_id",
                  "received_at")


def shown_message(message: OutboxMessage) -> dict[str, Any]:
    """An outgoing message as the admin reads it: ID numbers and phones masked in its payload (by field name, and
    in the free text its schema allows) and in the receiver's error (by the logs' regex); the message as stored,
    and sent, stays complete."""
    try:
        schema = schemas.validator("outbound", message.kind, message.schema_version).schema
    except schemas.SchemaMissing:
        schema = {}
    keys = free_text_keys(schema) if isinstance(schema, dict) else set()
    return {**{name: getattr(message, name) for name in OUTBOX_FIELDS},
            "payload": masked_free_text(masked_personal_data(message.payload or {}), keys),
            "last_error": mask_text(message.last_error) if message.last_error else message.last_error}


def shown_inbound(message: InboundMessage) -> dict[str, Any]:
    """A received message as the admin reads it: a person's ID number in its entity key and ID numbers and phones
    in its result masked."""
    prefix, _, key = (message.entity_key or "").partition(":")
    return {**{name: getattr(message, name) for name in INBOUND_FIELDS},
            "entity_key": f"{prefix}:{mask_id_number(key)}" if prefix == "person" else message.entity_key,
            "result_message": mask_text(message.result_message) if message.result_message else message.result_message}


@blp.route(f"/inbound/<any({','.join(SYSTEMS)}):system>")
class Inbound(MethodView):
    @blp.doc(**SIGNED)
    @blp.response(200, InboundResultSchema)
    def post(self, system: str) -> Any:
        """A message from another system, signed with its key (no bearer token): stored, validated, applied
        once. 200 with the result (also for a message stored as rejected or conflict); 401 bad or old
        signature; 409 a replayed signature; 422 no message_id or kind."""
        body = request.get_data(cache=True)
        signed = inbound.SignedRequest(system, request.headers.get(TIMESTAMP_HEADER, ""),
                                       request.headers.get(SIGNATURE_HEADER, ""), body)
        inbound.check_signature(signed, setting(current_app.config, system, "INBOUND_KEY"),
                                int(current_app.config["EXCHANGE_REPLAY_WINDOW_SECONDS"]))
        received = inbound.receive_signed(signed)
        message = received.message
        return {"id": message.id, "message_id": message.message_id, "status": message.status,
                "result_code": message.result_code, "result_message": message.result_message,
                "duplicate": received.duplicate}


@blp.route("/systems")
class Systems(MethodView):
    @blp.response(200, SystemListSchema)
    def get(self) -> Any:
        """Per system: queue length, oldest pending, failing, dead letters, last success, inbound results."""
        return {"items": service.system_summaries(bearer_actor())}


@blp.route(f"/systems/<any({','.join(SYSTEMS)}):system>/health")
class SystemHealth(MethodView):
    @blp.response(200, HealthSchema)
    def get(self, system: str) -> Any:
        """Whether the system's connector reaches it now."""
        require_admin(bearer_actor())
        health = make_connector(current_app.config, system).health()
        return {"system": system, "ok": health.ok, "detail": health.detail}


@blp.route("/messages")
class Messages(MethodView):
    @blp.arguments(OutboxListArgsSchema, location="query")
    @blp.response(200, OutboxPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Outgoing messages, newest first, by state (dead: the dead letters) and target system."""
        items, total = service.list_messages(bearer_actor(), args.get("status"), args.get("target"), args["page"],
                                             args["per_page"])
        return page_answer([shown_message(message) for message in items], total, args)


@blp.route(f"/messages/<{ID}:message_id>/resend")
class MessageResend(MethodView):
    @blp.response(200, OutboxMessageSchema)
    def post(self, message_id: int) -> Any:
        """Re-send a dead letter (a fresh retry budget, the same Idempotency-Key); 409 for any other state."""
        return shown_message(service.resend_message(bearer_actor(), message_id))


@blp.route(f"/systems/<any({','.join(key for key, _title in service.outbound_systems())}):system>/resend")
class SystemResend(MethodView):
    @blp.response(200, SystemResendSchema)
    def post(self, system: str) -> Any:
        """Re-send every dead letter to one system at once, after its link was put right (the page's 全部重新发送):
        each with a fresh retry budget and the same Idempotency-Key, in order within its aggregate; audited as
        `exchange.resent_all`. 200 with their ids (none: count 0)."""
        ids = service.resend_system(bearer_actor(), system)
        return {"system": system, "count": len(ids), "message_ids": ids}


@blp.route("/inbound")
class InboundMessages(MethodView):
    @blp.arguments(InboundListArgsSchema, location="query")
    @blp.response(200, InboundPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Received messages with their results (applied, rejected with the reason, conflict)."""
        items, total = service.list_inbound(bearer_actor(), args.get("status"), args.get("system"), args["page"],
                                            args["per_page"])
        return page_answer([shown_inbound(message) for message in items], total, args)
