"""Drafts of procedures: the list, one draft with its files, create, save, check and deploy."""
from marshmallow import Schema, fields, validate

from app.api.schemas.common import DateTime, Integer
from app.api.schemas.procedures import FILES, MAX_VERSION, VersionDeployedSchema, change_note
from app.routing import MAX_ID


class DraftSchema(Schema):
    id = Integer()
    procedure_key = fields.String()
    title = fields.String()
    base_version = Integer(allow_none=True, metadata={"description": "the version it was made from"})
    author = fields.String()
    created_at = DateTime()
    updated_at = DateTime()
    updated_by = fields.String()
    revision = Integer(metadata={"description": "send it back with a save: a newer save answers 409"})


class DraftFilesSchema(DraftSchema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": FILES})


class DraftCreateSchema(Schema):
    from_version = Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=MAX_VERSION),
                           metadata={"description": "default: the current version; a new key: a new procedure"})
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                         metadata={"description": "a new procedure's name"})


class DraftSaveSchema(Schema):
    files = fields.Dict(keys=fields.String(), values=fields.String(), load_default=None, allow_none=True,
                        metadata={"description": FILES + " Replaces all of the draft's files."})
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    revision = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                       metadata={"description": "the revision the caller loaded"})


class DraftDeploySchema(Schema):
    note = change_note()
    replacing = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_VERSION),
                        metadata={"description": "the current version this deploy replaces, when it is no longer "
                                                 "the draft's base_version (otherwise 409 base_version_changed, "
                                                 "details {base_version, current_version}): what another deploy "
                                                 "changed since the draft was made would be undone"})


class DraftNotDeployedSchema(VersionDeployedSchema):
    """A draft's deploy that made no new version: its content is an existing version's (the draft is deleted)."""

    state = fields.String(validate=validate.OneOf(["made_current", "unchanged"]), metadata={
        "description": "`made_current`: an earlier version's content, that version made current again with the "
                       "note; `unchanged`: the current version's content, nothing deployed or recorded"})
    note = fields.String(allow_none=True, metadata={
        "description": "the note recorded (made_current); null when nothing was (unchanged): the note sent is "
                       "not kept"})
    message = fields.String(metadata={"description": "what happened, in Chinese"})
    message_en = fields.String(allow_none=True, metadata={"description": "the message in English"})
