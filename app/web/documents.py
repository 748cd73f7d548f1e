"""The case's documents as PDF (whoever may see the case), and the public verification of a document's code."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required

from app.auth import session_actor
from app.routing import ID
from app.services.documents import access

bp = Blueprint("documents", __name__)


@bp.get(f"/cases/<{ID}:case_id>/documents/<{ID}:document_id>.pdf")
@login_required
def download(case_id: int, document_id: int) -> ResponseReturnValue:
    document, pdf = access.download_document(session_actor(), case_id, document_id)
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{document.title}-{document.number}.pdf")


@bp.get("/verify")
@bp.get("/verify/<code>")
def verify(code: str | None = None) -> ResponseReturnValue:
    """Anyone holding a document checks it: number, title, issuer, date; nothing about the applicant."""
    code = (code or request.args.get("code") or "").strip()[:40]
    found = access.verify_code(code) if code else None
    return render_template("documents/verify.html", code=code, found=found), 200 if found or not code else 404
