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


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32 bits in PostgreSQL): a larger one names nothing
ID = f"int(max={MAX_ID})"  # path converter for ids: `f"/cases/<{ID}:case_id>"`, a larger id answers 404
MAX_PAGE = 1_000_000  # beyond any list; larger numbers would overflow the database's OFFSET


def page_args(value: str | None, default: int = 1) -> int:
    """A page number from the query string, 1..MAX_PAGE (see last_page for one past the end)."""
    try:
        return min(max(1, int(value or default)), MAX_PAGE)
    except ValueError:  # not a number, or thousands of digits
        return default


def last_page(total: int, per_page: int) -> int:
    """The last page of `total` items (1 when there are none): a page past it shows this one."""
    return max(1, -(-total // per_page))
