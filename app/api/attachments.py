"""Attachments of a case: multipart upload (size and type checked), download, and deletion of an upload no
submission named."""
from typing import Any

from flask import current_app, request, send_file
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.cases import AttachmentSchema
from app.auth import bearer_actor
from app.errors import UploadRefused
from app.routing import ID
from app.services.cases.attachments import (
    SIGNATURES,
    UploadLimits,
    attachments_seen_by,
    delete_attachment,
    get_attachment,
    store_attachment,
)
from app.services.cases.lifecycle import get_case

ONE_FILE = "每次只能上传一个文件：请分别上传"
blp = Blueprint("api_attachments", __name__, url_prefix="/api/v1/cases", description="附件")


def upload_limits() -> UploadLimits:
    return UploadLimits(current_app.config["UPLOAD_DIR"], current_app.config["MAX_UPLOAD_BYTES"],
                        current_app.config["MAX_CASE_UPLOAD_BYTES"])


@blp.route(f"/<{ID}:case_id>/attachments")
class Attachments(MethodView):
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, case_id: int) -> Any:
        """Attachments of a case the caller may see: those a submission names, and the uploads of the caller's
        side (the applicant's, or the authorities') not submitted yet."""
        actor = bearer_actor()
        return attachments_seen_by(actor, get_case(actor, case_id)).attachments

    @blp.response(201, AttachmentSchema)
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    def post(self, case_id: int) -> Any:
        """Upload one file (PDF, JPG or PNG) as multipart field `file`; returns its id for forms. One file a
        request: several `file` parts are refused (422 `upload_several_files`, `details.fields.file`), none
        stored."""
        uploads = request.files.getlist("file")
        if len(uploads) > 1:
            raise UploadRefused(ONE_FILE, code="upload_several_files", details={"fields": {"file": [ONE_FILE]}})
        upload = uploads[0] if uploads else None
        if upload is None or not upload.filename:
            raise UploadRefused("请选择要上传的文件（字段名 file）", code="upload_missing")
        return store_attachment(bearer_actor(), case_id, upload.filename, upload.stream, upload_limits())


@blp.route(f"/<{ID}:case_id>/attachments/<attachment_id>")
class AttachmentResource(MethodView):
    @blp.file_response(*SIGNATURES, description="the file as uploaded: PDF, JPG or PNG")
    def get(self, case_id: int, attachment_id: str) -> Any:
        """Download an attachment (checksum verified) for those who may see the case and the file (404 for the
        other side's upload that no submission names yet)."""
        attachment, path = get_attachment(bearer_actor(), case_id, attachment_id, upload_limits().directory)
        return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename)

    @blp.response(204)
    def delete(self, case_id: int, attachment_id: str) -> Any:
        """Delete a file the caller uploaded and no submission or 暂存 draft names, while the case is open
        (403 `attachment_not_yours`, 422 `attachment_submitted` / `attachment_in_draft` / `case_closed`; 409
        `case_changed`: the case changed meanwhile, e.g. a form submitted at the same moment; read it again)."""
        delete_attachment(bearer_actor(), case_id, attachment_id, upload_limits().directory)
        return None
