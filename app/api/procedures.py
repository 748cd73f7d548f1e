"""Procedures: the list (every signed-in user: the start forms), and for analysts and admins one procedure with
its versions, a version's files, deploys (with a dry run), the current version, migrations of running cases."""
from typing import Any

from flask import jsonify, request
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.procedures import (
    CurrentVersionSchema,
    DeployCheckSchema,
    ImportRequestSchema,
    ImportResultSchema,
    MigrationRequestSchema,
    MigrationResultsSchema,
    ProcedureDetailSchema,
    ProcedureSchema,
    SandboxCompleteSchema,
    SandboxDeletedSchema,
    SandboxDraftArgsSchema,
    SandboxDraftRequiredSchema,
    SandboxRunSchema,
    SandboxRunsSchema,
    SandboxStartSchema,
    VersionDecisionsSchema,
    VersionDeployedSchema,
    VersionDeploySchema,
    VersionFilesSchema,
)
from app.auth import bearer_actor
from app.errors import DeployError
from app.request_guard import view_body_limit
from app.services.cases.overview import startable_procedures
from app.services.procedures import catalog, deploy, dmn, import_conversion, migration, sandbox
from app.services.procedures.versions import list_procedures, manifest_of

blp = Blueprint("api_procedures", __name__, url_prefix="/api/v1/procedures", description="事项（流程）")

KEY = "<string(maxlength=100):key>"
VERSION = "<int(min=1, max=1000000):number>"
RUN = "<int(min=1, max=2147483647):run_id>"  # a larger id names nothing (INTEGER column)
TASK = "<string(length=36):task_id>"
MAX_DEPLOY_BODY = 8 * 1024 * 1024  # 100 files of at most 1 MB each would not fit: a deploy is far smaller
# A deploy answers a file above its own limit (1 MB) by naming it (422), so its body may be larger than any
# other JSON body; beyond this it is refused unread (413), an absurd body costing no memory.
MAX_DEPLOY_REQUEST = 64 * 1024 * 1024


@blp.before_request
def _bounded_body() -> None:
    """A body is read whole: bounded far below the upload limit (413 above it), unless the view declares its
    own limit (a deploy)."""
    if view_body_limit() is None:
        request.max_content_length = MAX_DEPLOY_BODY


@blp.route("")
class Procedures(MethodView):
    @blp.response(200, ProcedureSchema(many=True))
    def get(self) -> Any:
        """Deployed procedures with their current version and start form (rendered for the caller)."""
        actor = bearer_actor()
        startable = {p.key for p in startable_procedures(actor)}  # as the home page offers them
        return [{"key": p.key, "name": p.name, "version": v.version if v else None, "can_start": p.key in startable,
                 "content_hash": v.content_hash if v else None, "deployed_at": v.deployed_at if v else None,
                 "start_roles": manifest_of(v.id).get("start_roles", []) if v else [],
                 "start_organisations": manifest_of(v.id).get("start_organisations", []) if v else [],
                 "start_form": catalog.start_form(actor, v.id) if v else None}
                for p in list_procedures() for v in [p.current_version]]


@blp.route("/conversions")
class Conversions(MethodView):
    @blp.arguments(ImportRequestSchema)
    @blp.response(200, ImportResultSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Convert diagrams from Camunda Modeler (camunda:, zeebe:) or SpiffArena: what maps is converted, what
        does not is listed by element, and the result is checked as a deploy's dry run (nothing stored;
        analysts and admins). 422 `deploy_refused`: a file not read at all (name, size, DTD)."""
        return import_conversion.import_files(bearer_actor(), body["files"], body["case_prefix"])


@blp.route(f"/{KEY}")
class ProcedureResource(MethodView):
    @blp.response(200, ProcedureDetailSchema)
    def get(self, key: str) -> Any:
        """One procedure: its current version, start form and every version (analysts and admins)."""
        return catalog.procedure_detail(bearer_actor(), key)


@blp.route(f"/{KEY}/versions/{VERSION}/files")
class VersionFiles(MethodView):
    @blp.response(200, VersionFilesSchema)
    def get(self, key: str, number: int) -> Any:
        """Every file the version needs; posted back unchanged they deploy nothing (analysts and admins)."""
        return {"files": catalog.files_of_version(bearer_actor(), key, number)}


@blp.route(f"/{KEY}/versions/{VERSION}/decisions")
class VersionDecisions(MethodView):
    @blp.response(200, VersionDecisionsSchema)
    def get(self, key: str, number: int) -> Any:
        """The version's decision tables (DMN) as tables: inputs, outputs, rules (analysts and admins)."""
        return {"decisions": dmn.decision_tables(bearer_actor(), key, number)}


@blp.route(f"/{KEY}/versions")
class Versions(MethodView):
    # Read once (werkzeug caches the body and its JSON for the guard and the schema): a 20 MB file is
    # answered 422 naming it, not 413 without a word of which file.
    max_body_bytes = MAX_DEPLOY_REQUEST

    @blp.arguments(VersionDeploySchema)
    @blp.response(201, VersionDeployedSchema)
    @blp.alt_response(200, schema={"oneOf": [{"$ref": "#/components/schemas/DeployCheck"},
                                             {"$ref": "#/components/schemas/VersionDeployed"}]},
                      description="a dry run: the problems found (DeployCheck; none: it deploys); or the files "
                                  "are an existing version's, made current again (VersionDeployed, its note)")
    def post(self, body: dict[str, Any], key: str) -> Any:
        """Deploy the files as the procedure's next version, current at once (a new key is a new procedure).
        201: a new version; 200: the content is an existing version (made current again if it was not);
        422 `deploy_refused`: `details.problems` [{file, element, problem}], nothing stored (a file above 1 MB is
        one of them, named); 413 `payload_too_large`: a body above 64 MB, refused unread; 409 `procedure_changed`:
        another deploy of the procedure took the version number first, nothing stored (deploys of one procedure
        are numbered one after the other)."""
        actor = bearer_actor()
        if body["dry_run"]:
            try:
                deploy.deploy_files(actor, key, body["files"], body["note"], dry_run=True)
            except DeployError as refused:
                return jsonify(DeployCheckSchema().dump({"problems": refused.problems}))  # with problem_en
            return jsonify({"problems": []})
        result = deploy.deploy_files(actor, key, body["files"], body["note"])
        return {"key": result.key, "version": result.version, "note": result.note}, 201 if result.created else 200


@blp.route(f"/{KEY}/current")
class CurrentVersion(MethodView):
    @blp.arguments(CurrentVersionSchema)
    @blp.response(200, VersionDeployedSchema)
    def post(self, body: dict[str, Any], key: str) -> Any:
        """Make a version current (a rollback, or forward again), recorded with the note; new cases start on
        it, running ones stay on theirs."""
        version = deploy.make_current(bearer_actor(), key, body["version"], body["note"])
        return {"key": key, "version": version.version, "note": (body["note"] or "").strip()}


@blp.route(f"/{KEY}/migrations")
class Migrations(MethodView):
    @blp.arguments(MigrationRequestSchema)
    @blp.response(200, MigrationResultsSchema)
    def post(self, body: dict[str, Any], key: str) -> Any:
        """Move open cases from one version to another (a dry run says which can, and why not); each case moves
        whole or not at all."""
        results = migration.migrate_cases(bearer_actor(), key, body["from_version"], body["to_version"],
                                          body["case_ids"], body["mapping"], body["dry_run"])
        return {"results": results}


@blp.route(f"/{KEY}/sandbox")
class SandboxRuns(MethodView):
    @blp.arguments(SandboxDraftArgsSchema, location="query")
    @blp.response(200, SandboxRunsSchema)
    def get(self, args: dict[str, Any], key: str) -> Any:
        """The procedure's sandbox runs (of one draft), newest first (analysts and admins)."""
        return {"runs": sandbox.list_runs(bearer_actor(), key, args["draft_id"])}

    @blp.arguments(SandboxStartSchema)
    @blp.response(201, SandboxRunSchema)
    def post(self, body: dict[str, Any], key: str) -> Any:
        """Try a draft: its files (not deployed, checked as for a deploy: 422 `deploy_refused`) run with the start
        data to the first steps. A run is no case: no task list, dashboard, export, search or outgoing message
        shows it; handlers run with their writes undone."""
        return sandbox.start_run(bearer_actor(), key, body["files"], body["data"], body["draft_id"],
                                 body["applicant_id"])

    @blp.arguments(SandboxDraftRequiredSchema, location="query")
    @blp.response(200, SandboxDeletedSchema)
    def delete(self, args: dict[str, Any], key: str) -> Any:
        """Delete every run of a draft (as deleting the draft does)."""
        return {"deleted": sandbox.delete_runs_of_draft(bearer_actor(), key, args["draft_id"])}


@blp.route(f"/{KEY}/sandbox/{RUN}")
class SandboxRunResource(MethodView):
    @blp.response(200, SandboxRunSchema)
    def get(self, key: str, run_id: int) -> Any:
        """A run as it stands: its open steps with their forms, data and log."""
        return sandbox.get_run(bearer_actor(), key, run_id)

    @blp.response(204)
    def delete(self, key: str, run_id: int) -> None:
        """Delete a run."""
        sandbox.delete_run(bearer_actor(), key, run_id)


@blp.route(f"/{KEY}/sandbox/{RUN}/tasks/{TASK}/complete")
class SandboxTaskComplete(MethodView):
    @blp.arguments(SandboxCompleteSchema)
    @blp.response(200, SandboxRunSchema)
    def post(self, body: dict[str, Any], key: str, run_id: int, task_id: str) -> Any:
        """Complete an open step of the run, playing its role as `person`; its form is validated as on the task
        page and the rules (notSameAs, sameAs) hold between persons. 409 `task_not_open`: not an open step."""
        return sandbox.complete_task(bearer_actor(), key, run_id, task_id, body["data"], body["role"],
                                     body["person"])
