"""Attachments: checked for size and type (by content, not by name), stored on disk with a checksum."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import bindparam, select

from app.errors import Message, NotAllowed, NotFound, RuleViolation, UploadRefused
from app.extensions import db
from app.models import OPEN_STATUSES, Actor, Attachment, Case, User
from app.policy import is_candidate
from app.services import audit
from app.services.cases import history
from app.services.cases.lifecycle import get_case, open_tasks_of

# content type -> leading bytes that prove it
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
# the endings a stored name may keep for each type (anything else gets the type's own ending)
KEPT_EXTENSIONS = {"application/pdf": {".pdf"}, "image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}}


@dataclass(frozen=True)
class UploadLimits:
    directory: str
    max_bytes: int


def _sniff(head: bytes) -> str | None:
    for content_type, prefixes in SIGNATURES.items():
        if any(head.startswith(p) for p in prefixes):
            return content_type
    return None


def _safe_name(filename: str, content_type: str) -> str:
    """The name shown and served: printable, no path, and ending as its detected type does (a PDF sent
    as poly.html is stored and downloaded as poly.pdf)."""
    name = Path(filename.replace("\\", "/")).name.strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"/\\|?*').strip()
    stem, ending = _split_ending(name)
    if ending.lower() in KEPT_EXTENSIONS[content_type]:
        return stem[:200] + ending
    return (stem or name or "附件")[:200] + EXTENSIONS[content_type]


def _split_ending(name: str) -> tuple[str, str]:
    stem, dot, ending = name.rpartition(".")
    return (stem, dot + ending) if dot and stem else (name, "")


def may_upload(actor: Actor, case: Case) -> bool:
    """Who may add files to a case: the applicant who started it; an applicant-side user while the case
    waits for its organisation (a candidate of the open applicant task); and whoever holds an open task of
    the case (its assignee, or a candidate while nobody has claimed it), e.g. a reviewer's check report.
    Seeing the case is not enough: the files are what the next form may cite."""
    if case.started_by_id == actor.id:
        return True
    for task in open_tasks_of(case):
        if task.assignee_id == actor.id:
            return True
        if is_candidate(actor, task) and (task.assignee_id is None or task.scope == "applicant"):
            return True
    return False


def store_attachment(actor: Actor, case_id: int, filename: str, stream: IO[bytes],
                     limits: UploadLimits) -> Attachment:
    """Store an upload for a case the actor may add files to; refuses oversize files and unknown types."""
    case = get_case(actor, case_id)
    if case.status not in OPEN_STATUSES:
        raise RuleViolation("办件已办结，不能再上传附件", code="case_closed")
    if not may_upload(actor, case):
        raise NotAllowed("只有申请人或当前环节的办理人可以上传附件", code="upload_not_allowed")
    data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise UploadRefused(Message("附件超过大小限制（最大 {n} MB）", n=limits.max_bytes // (1024 * 1024)),
                            code="upload_too_large")
    if not data:
        raise UploadRefused("附件为空", code="upload_empty")
    content_type = _sniff(data[:16])
    if content_type is None:
        raise UploadRefused("仅支持 PDF、JPG、PNG 格式的附件", code="upload_type_refused")
    attachment_id = str(uuid.uuid4())
    relative = Path(str(case.id)) / f"{attachment_id}{EXTENSIONS[content_type]}"
    target = Path(limits.directory) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    attachment = Attachment(id=attachment_id, case_id=case.id, filename=_safe_name(filename, content_type),
                            content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), storage_path=str(relative),
                            uploaded_by_id=actor.id)
    db.session.add(attachment)
    history.record(case, "attachment_uploaded", actor,
                   payload={"attachment_id": attachment_id, "filename": attachment.filename})
    db.session.flush()
    return attachment


def get_attachment(actor: Actor, case_id: int, attachment_id: str, directory: str) -> tuple[Attachment, Path]:
    """The attachment and its file path, for those who may see the case; checksum verified."""
    case = get_case(actor, case_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("未找到该附件", code="attachment_not_found")
    path = Path(directory) / attachment.storage_path
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != attachment.sha256:
        raise NotFound("附件文件已损坏或丢失，请联系管理员", code="attachment_corrupt")
    audit.record(actor, "case.attachment_downloaded", "case", case.number, attachment_id=attachment.id,
                 filename=attachment.filename)
    return attachment, path


# The statements every case page and answer runs, built once (building and hashing one costs more than a
# small database running it).
_ATTACHMENTS_OF_CASE = (select(Attachment).where(Attachment.case_id == bindparam("case"))
                        .order_by(Attachment.uploaded_at))


def list_attachments(case_id: int) -> list[Attachment]:
    return list(db.session.scalars(_ATTACHMENTS_OF_CASE, {"case": case_id}))


def list_attachments_by_side(case: Case) -> list[tuple[Attachment, bool]]:
    """The case's attachments in upload order, each with whether the applicant side uploaded it: the
    user who started the case or a user of the applicant organisation."""
    rows = db.session.execute(select(Attachment, User.organisation_id)
                              .join(User, User.id == Attachment.uploaded_by_id)
                              .where(Attachment.case_id == case.id)
                              .order_by(Attachment.uploaded_at, Attachment.id))
    return [(attachment, attachment.uploaded_by_id == case.started_by_id or organisation_id == case.applicant_org_id)
            for attachment, organisation_id in rows]
