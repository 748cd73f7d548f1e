"""Procedure output."""
from marshmallow import Schema, fields


class ProcedureSchema(Schema):
    key = fields.String()
    name = fields.String()
    version = fields.Function(lambda p: p.latest_version.version if p.latest_version else None)
    content_hash = fields.Function(lambda p: p.latest_version.content_hash if p.latest_version else None)
    deployed_at = fields.Function(lambda p: p.latest_version.deployed_at.isoformat() if p.latest_version else None)
    start_roles = fields.Function(
        lambda p: p.latest_version.manifest.get("start_roles", []) if p.latest_version else [])
