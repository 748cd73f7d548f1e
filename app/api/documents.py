"""Documents of a case: the list, and each one as PDF, for those who may see the case."""
from io import BytesIO
from typing import Any

from flask import send_file
from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.documents import CaseDocumentSchema
from app.auth import bearer_actor
from app.routing import ID
from app.services.documents import access

blp = Blueprint("api_documents", __name__, url_prefix="/api/v1/cases", description="文书")


@blp.route(f"/<{ID}:case_id>/documents")
class Documents(MethodView):
    @blp.response(200, CaseDocumentSchema(many=True))
    def get(self, case_id: int) -> Any:
        """The documents issued on a case the caller may see, oldest first."""
        return access.list_documents(bearer_actor(), case_id)


@blp.route(f"/<{ID}:case_id>/documents/<{ID}:document_id>")
class DocumentDownload(MethodView):
    @blp.file_response("application/pdf", description="PDF")
    def get(self, case_id: int, document_id: int) -> Any:
        """The document as PDF (rendered on first download, then kept)."""
        document, pdf = access.download_document(bearer_actor(), case_id, document_id)
        return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{document.number}.pdf")
