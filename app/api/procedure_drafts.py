"""Drafts of procedures (analysts and admins): list, create from a version (or a new procedure), read with
files, save, delete, check (the deploy's dry run) and deploy as the next version with a note."""
from typing import Any

from flask import jsonify, request
from flask.views import MethodView

from app.api.english import english
from app.api.parsing import Blueprint
from app.api.procedures import KEY, MAX_DEPLOY_BODY
from app.api.schemas.procedure_drafts import (
    DraftCreateSchema,
    DraftDeploySchema,
    DraftFilesSchema,
    DraftNotDeployedSchema,
    DraftSaveSchema,
    DraftSchema,
)
from app.api.schemas.procedures import DeployCheckSchema, VersionDeployedSchema
from app.auth import bearer_actor
from app.services.procedures import drafts

blp = Blueprint("api_procedure_drafts", __name__, url_prefix="/api/v1/procedures",
                description="事项流程草稿")

DRAFT = "<int(min=1, max=2147483647):draft_id>"


@blp.before_request
def _bounded_body() -> None:
    request.max_content_length = MAX_DEPLOY_BODY


@blp.route(f"/{KEY}/drafts")
class Drafts(MethodView):
    @blp.response(200, DraftSchema(many=True))
    def get(self, key: str) -> Any:
        """The procedure's drafts, the newest change first (without their files)."""
        return drafts.list_drafts(bearer_actor(), key)

    @blp.arguments(DraftCreateSchema)
    @blp.response(201, DraftFilesSchema)
    def post(self, body: dict[str, Any], key: str) -> Any:
        """A draft from version `from_version` (default: the current one); for a key no procedure has, a new
        procedure's first files."""
        return drafts.create_draft(bearer_actor(), key, body["from_version"], body["title"], body["name"])


@blp.route(f"/{KEY}/drafts/{DRAFT}")
class DraftResource(MethodView):
    @blp.response(200, DraftFilesSchema)
    def get(self, key: str, draft_id: int) -> Any:
        """One draft with its files."""
        return drafts.get_draft(bearer_actor(), draft_id, key)

    @blp.arguments(DraftSaveSchema)
    @blp.response(200, DraftFilesSchema)
    def put(self, body: dict[str, Any], key: str, draft_id: int) -> Any:
        """Save the draft's files and/or title (422 `deploy_refused` for names, types or sizes a deploy refuses;
        409 `draft_stale` when `revision` is not the draft's)."""
        actor = bearer_actor()
        drafts.get_draft(actor, draft_id, key)
        return drafts.save_draft(actor, draft_id, body["files"], body["title"], body["revision"])

    @blp.response(204)
    def delete(self, key: str, draft_id: int) -> Any:
        """Delete the draft."""
        actor = bearer_actor()
        drafts.get_draft(actor, draft_id, key)
        drafts.delete_draft(actor, draft_id)
        return ""


@blp.route(f"/{KEY}/drafts/{DRAFT}/check")
class DraftCheck(MethodView):
    @blp.response(200, DeployCheckSchema)
    def post(self, key: str, draft_id: int) -> Any:
        """What a deploy of the draft would refuse, each problem naming file and element (none: it deploys)."""
        actor = bearer_actor()
        drafts.get_draft(actor, draft_id, key)
        return {"problems": drafts.check_draft(actor, draft_id)}


@blp.route(f"/{KEY}/drafts/{DRAFT}/deploy")
class DraftDeploy(MethodView):
    @blp.arguments(DraftDeploySchema)
    @blp.response(201, VersionDeployedSchema)
    @blp.alt_response(200, schema=DraftNotDeployedSchema,
                      description="no new version: the draft's content is an existing version's (`state`), made "
                                  "current again with the note, or the current one, nothing deployed or recorded; "
                                  "`message` says which. The draft is deleted, as the pages do")
    def post(self, body: dict[str, Any], key: str, draft_id: int) -> Any:
        """Deploy the draft as the procedure's next version (current at once) with a required note; the draft
        is deleted. 201: a new version; 200: none (DraftNotDeployed). 422 `deploy_refused` with
        `details.problems` [{file, element, problem}]: nothing stored. 409 `base_version_changed` when the current
        version is no longer the draft's base (send `replacing`)."""
        actor = bearer_actor()
        drafts.get_draft(actor, draft_id, key)
        result = drafts.deploy_draft(actor, draft_id, body["note"], body["replacing"])
        message = drafts.no_new_version(result)
        if message is None:
            return {"key": result.key, "version": result.version, "note": result.note}, 201
        note = result.note if result.state == "made_current" else None  # unchanged: the note sent was not kept
        return jsonify(DraftNotDeployedSchema().dump({
            "key": result.key, "version": result.version, "note": note, "state": result.state,
            "message": message, "message_en": english(message)}))
