"""Helpers the page modules share: upload limits, the case's forms for display, attachment names."""
from __future__ import annotations

from typing import Any

from flask import current_app

from app.models import Case, User
from app.services import forms
from app.services.attachments import UploadLimits, list_attachments
from app.web.data_display import merged_properties


def upload_limits() -> UploadLimits:
    return UploadLimits(current_app.config["UPLOAD_DIR"], current_app.config["MAX_UPLOAD_BYTES"])


def case_properties(actor: User, case: Case) -> dict[str, dict[str, Any]]:
    """Every field of every form of the case's version, with choices rendered for the actor."""
    version = case.procedure_version
    keys = sorted(name[len("forms/"):-len(".json")] for name in (version.files or {})
                  if name.startswith("forms/") and name.endswith(".json"))
    return merged_properties(forms.render_schema(forms.form_schema(version, key), actor, case) for key in keys)


def attachment_names(case: Case) -> dict[str, str]:
    return {a.id: a.filename for a in list_attachments(case.id)}


def page_args(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default
