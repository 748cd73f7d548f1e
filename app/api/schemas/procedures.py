"""Procedures: the list with start forms, one procedure with its versions, a version's files, deploys,
the current version, and migrations of running cases."""
from marshmallow import Schema, fields, validate

from app.api.english import english
from app.api.schemas.common import DateTime, Integer, computed, id_field
from app.routing import MAX_ID
from app.services.procedures.deploy import MAX_NOTE

MAX_VERSION = 1_000_000


def _version(required: bool = False) -> fields.Integer:
    return Integer(required=required, validate=validate.Range(min=1, max=MAX_VERSION))


NOTE = f"the change note: not blank, at most {MAX_NOTE} characters (blanks around it not counted)"
# Not blank (the service strips it): matched from the start by marshmallow, searched anywhere by JSON Schema.
_NOT_BLANK = validate.Regexp(r"\s*\S", error="请填写变更说明")


def change_note() -> fields.String:
    """The note a deploy or a change of the current version is recorded with: required and not blank."""
    return fields.String(required=True, validate=_NOT_BLANK, metadata={"minLength": 1, "description": NOTE})


START_FORM = ("The start data's JSON Schema, each choice field with the caller's options as `oneOf` "
              "[{const, title}]; `data` of POST /api/v1/cases must be valid against it. Null: the procedure starts "
              "without data.")


class ProcedureSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = Integer(allow_none=True, metadata={"description": "the current version"})
    content_hash = fields.String(allow_none=True)
    deployed_at = DateTime(allow_none=True)
    start_roles = fields.List(fields.String())
    start_organisations = fields.List(fields.String(), metadata={
        "description": "the kinds of organisation that may start it (enterprise, construction_unit, individual, "
                       "authority, platform); empty: any"})
    start_form = fields.Dict(allow_none=True, metadata={"description": START_FORM})
    can_start = fields.Boolean(metadata={"description": "whether the caller may start it: its roles, kind of "
                                                        "organisation and operator rights; a personal account "
                                                        "employed nowhere none (what the home page offers)"})


class ProcedureVersionSchema(Schema):
    version = Integer()
    deployed_at = DateTime()
    deployed_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    content_hash = fields.String()
    running_cases = Integer(metadata={"description": "open cases (running, waiting, in error) on it"})


class ProcedureDetailSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = Integer(allow_none=True, metadata={"description": "the current version: new cases start on it"})
    start_form = fields.Dict(allow_none=True, metadata={"description": START_FORM})
    versions = fields.List(fields.Nested(ProcedureVersionSchema))


FILES = ("File name -> text: `bpmn/<name>.bpmn`, `bpmn/<name>.dmn`, `bpmn/lanes.json`, `forms/<name>.json`.")


class VersionFilesSchema(Schema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": FILES})


class VersionDeploySchema(Schema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": FILES + " At most 100 files of 1 MB each."})
    note = fields.String(load_default=None, allow_none=True, metadata={
        "description": NOTE + "; required unless `dry_run` (a deploy without one: 422 `invalid_form`)"})
    dry_run = fields.Boolean(load_default=False)


class VersionDeployedSchema(Schema):
    key = fields.String()
    version = Integer()
    note = fields.String(allow_none=True)


class ProblemSchema(Schema):
    file = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    problem = fields.String()
    problem_en = computed(lambda p: english(p.get("problem")), "string", nullable=True,
                          description="the problem in English")


class DeployCheckSchema(Schema):
    problems = fields.List(fields.Nested(ProblemSchema))


class CurrentVersionSchema(Schema):
    version = _version(required=True)
    note = change_note()


class MigrationRequestSchema(Schema):
    from_version = _version(required=True)
    to_version = _version(required=True)
    case_ids = fields.List(id_field(), load_default=None, allow_none=True,
                           validate=validate.Length(max=1000, error="最多 {max} 项"),
                           metadata={"description": "only these cases (default: every open case on from_version)"})
    mapping = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                          values=fields.String(validate=validate.Length(max=100)), load_default=None, allow_none=True,
                          metadata={"description": "renamed steps: {old bpmn id: new bpmn id}"})
    dry_run = fields.Boolean(load_default=False)


class MigrationResultSchema(Schema):
    case_id = Integer()
    can_migrate = fields.Boolean()
    migrated = fields.Boolean()
    reason = fields.String(allow_none=True)


class MigrationResultsSchema(Schema):
    results = fields.List(fields.Nested(MigrationResultSchema))


class DecisionInputSchema(Schema):
    id = fields.String()
    label = fields.String()
    expression = fields.String(metadata={"description": "Python read from the case data, e.g. a form field"})


class DecisionOutputSchema(Schema):
    id = fields.String()
    name = fields.String(metadata={"description": "the case data variable the result is written to"})
    label = fields.String()


class DecisionRuleSchema(Schema):
    id = fields.String()
    inputs = fields.List(fields.String(), metadata={"description": "one cell per input: a test such as `<= 100`, "
                                                                   "a value, or `-`/empty for any"})
    outputs = fields.List(fields.String(), metadata={"description": "one Python expression per output"})
    description = fields.String()


class DecisionTableSchema(Schema):
    id = fields.String()
    name = fields.String()
    file = fields.String()
    hit_policy = fields.String(metadata={"description": "UNIQUE (the first matching rule) or COLLECT (lists)"})
    inputs = fields.List(fields.Nested(DecisionInputSchema))
    outputs = fields.List(fields.Nested(DecisionOutputSchema))
    rules = fields.List(fields.Nested(DecisionRuleSchema))


class VersionDecisionsSchema(Schema):
    decisions = fields.List(fields.Nested(DecisionTableSchema))


class ImportRequestSchema(Schema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                        metadata={"description": "as for a deploy: bpmn/*.bpmn exported by Camunda Modeler (Camunda 7 "
                                                 "or 8) or SpiffArena, with bpmn/*.dmn, bpmn/lanes.json, forms/*.json"})
    case_prefix = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{1,6}$"),
                                metadata={"description": "casePrefix for a process that has none"})


class ImportResultSchema(Schema):
    source = fields.String(metadata={"description": "camunda, zeebe, spiffarena or bpmn"})
    files = fields.Dict(keys=fields.String(), values=fields.String(),
                        metadata={"description": "the converted files: deploy them (after fixing `problems`)"})
    converted = fields.List(fields.Nested(ProblemSchema), metadata={"description": "what was converted, by element"})
    unmapped = fields.List(fields.Nested(ProblemSchema), metadata={"description": "what does not map, by element"})
    problems = fields.List(fields.Nested(ProblemSchema),
                           metadata={"description": "a deploy's dry run of the converted files"})
    procedures = fields.List(fields.String(), metadata={"description": "startable processes (when no problems)"})


SANDBOX_DRAFT = "the draft (procedure_drafts) the run belongs to: its runs are deleted with it"


class SandboxStartSchema(Schema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), load_default=None, allow_none=True,
                        metadata={"description": "files as for a deploy (checked the same way); default: the saved "
                                                 "draft `draft_id`'s"})
    data = fields.Dict(load_default=dict, metadata={"description": "the start data (the start form's fields)"})
    draft_id = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                       metadata={"description": SANDBOX_DRAFT})
    applicant_id = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                           metadata={"description": "a real enterprise (organisation id) the run applies as: "
                                                    "its records are read, never written; default the "
                                                    "caller's organisation"})


class SandboxCompleteSchema(Schema):
    data = fields.Dict(load_default=dict, metadata={"description": "the step's form"})
    role = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                         metadata={"description": "the role the analyst plays: must be the step's lane role"})
    person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                           metadata={"description": "who completes it (a name standing for a user; default the "
                                                    "analyst): notSameAs and sameAs hold between these names"})


class SandboxDraftArgsSchema(Schema):
    draft_id = Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID),
                       metadata={"description": SANDBOX_DRAFT})


class SandboxDraftRequiredSchema(Schema):
    draft_id = Integer(required=True, validate=validate.Range(min=1, max=MAX_ID),
                       metadata={"description": SANDBOX_DRAFT})


class SandboxTaskSchema(Schema):
    id = fields.String()
    bpmn_id = fields.String()
    title = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    role_title = fields.String(allow_none=True)
    scope = fields.String(allow_none=True)
    form_key = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True, metadata={"description": "the step's JSON Schema form, from the draft"})
    rules = fields.Dict(keys=fields.String(), values=fields.String())


class SandboxRunSummarySchema(Schema):
    id = Integer()
    key = fields.String()
    draft_id = Integer(allow_none=True)
    status = fields.String(metadata={"description": "running, completed, terminated or error"})
    error = fields.String(allow_none=True)
    data = fields.Dict(metadata={"description": "the run's data so far"})
    steps = fields.List(fields.Dict(), metadata={"description": "what happened, step by step (handlers' results "
                                                                "included; their writes were undone)"})
    persons = fields.Dict(keys=fields.String(), values=fields.String())
    applicant_id = Integer(allow_none=True, metadata={"description": "the enterprise the run applies as"})
    applicant_name = fields.String(allow_none=True)


class SandboxRunSchema(SandboxRunSummarySchema):
    open_tasks = fields.List(fields.Nested(SandboxTaskSchema))


class SandboxRunsSchema(Schema):
    runs = fields.List(fields.Nested(SandboxRunSummarySchema))


class SandboxDeletedSchema(Schema):
    deleted = Integer()
