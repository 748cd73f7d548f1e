"""Attachments: checked for size and type (by content, not by name), stored on disk with a checksum; an upload
no submission names yet is seen by its own side only (applicant or authorities: page, API and downloads alike), and
may be deleted by its uploader, its file removed once the deletion has committed."""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Collection, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import Flask
from sqlalchemy import String, bindparam, cast, exists, func, select

from app.db import add_after_commit, add_rollback_hooks, utcnow
from app.errors import Message, NotAllowed, NotFound, RuleViolation, UploadRefused
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    Actor,
    Attachment,
    Case,
    CaseEvent,
    Organisation,
    OrganisationKind,
    Task,
    TaskDraft,
    User,
)
from app.policy import is_candidate
from app.services import audit
from app.services.cases import history
from app.services.cases.history import Event
from app.services.cases.lifecycle import get_case, open_tasks_of

log = logging.getLogger(__name__)

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
    max_bytes: int  # one file
    case_max_bytes: int | None = None  # every file stored on the case together (None: no limit)


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


_STORED_BYTES = select(func.sum(Attachment.size)).where(Attachment.case_id == bindparam("case"))


def store_attachment(actor: Actor, case_id: int, filename: str, stream: IO[bytes],
                     limits: UploadLimits) -> Attachment:
    """Store an upload for a case the actor may add files to; refuses oversize files, unknown types and a file
    that would take the case's stored files past their limit.

    The case's limit is checked after the file's row is written, counting it: uploads to one case are then
    counted one at a time (PostgreSQL: the case's row is locked first; SQLite: the check runs holding the
    database's write lock), so parallel uploads cannot pass it together. That refusal comes after rows were
    added: a caller that goes on after catching it runs the upload in a savepoint (`attempt`). The file is
    written last and removed again if the unit of work is rolled back."""
    case = get_case(actor, case_id, locked=limits.case_max_bytes is not None)
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
    attachment = Attachment(id=attachment_id, case_id=case.id, filename=_safe_name(filename, content_type),
                            content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), storage_path=str(relative),
                            uploaded_by_id=actor.id)
    db.session.add(attachment)
    history.record(case, "attachment_uploaded", actor,
                   payload={"attachment_id": attachment_id, "filename": attachment.filename})
    db.session.flush()
    if limits.case_max_bytes is not None and \
            (db.session.scalar(_STORED_BYTES, {"case": case.id}) or 0) > limits.case_max_bytes:
        raise UploadRefused(Message("本办件的附件已达总量上限（{n} MB），请先删除未随申请提交的附件",
                                    n=limits.case_max_bytes // (1024 * 1024)), code="case_uploads_full")
    target = Path(limits.directory) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    _written(target)
    return attachment


# The files this context touched, until its unit of work ends: those of attachments deleted (removed once the
# deletion has committed) and those of attachments stored (removed if their rows are rolled back: a refused
# form's savepoint, a request that failed, a concurrent submission that won). A rolled-back savepoint or unit
# of work rewinds both to where it began (app.db's rollback hooks).
@dataclass
class _Files:
    to_remove: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


_FILES: ContextVar[_Files | None] = ContextVar("gjy_attachment_files", default=None)


def _files() -> _Files:
    files = _FILES.get()
    if files is None:
        files = _Files()
        _FILES.set(files)
    return files


def init_app(app: Flask) -> None:
    add_after_commit(app, _after_commit)
    add_rollback_hooks(app, _mark, _rewind)


def _written(path: Path) -> None:
    _files().written.append(path)


def _mark() -> tuple[int, int]:
    files = _FILES.get()
    return (len(files.to_remove), len(files.written)) if files is not None else (0, 0)


def _rewind(mark: tuple[int, int]) -> None:
    """Rolled back: the deleted attachments' rows are back (their files stay), the stored ones' rows are gone
    (their files go)."""
    files = _FILES.get()
    if files is None:
        return
    removed, written = mark
    del files.to_remove[removed:]
    _unlink(files.written[written:], "a rolled-back upload")
    del files.written[written:]


def _after_commit() -> None:
    files = _FILES.get()
    if files is None:
        return
    _FILES.set(None)
    _unlink(files.to_remove, "a deleted attachment")


def _unlink(paths: list[Path], whose: str) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # a file left behind is only disk space, and said so
            log.exception("could not remove the file of %s: %s", whose, path)


def _named_by_a_submission(case: Case, attachment_id: str) -> bool:
    """Whether a form submitted on the case (the case's data, a completed task's recorded data) names the
    attachment: then it is part of the file the authority decides on, and stays."""
    if attachment_id in json.dumps(case.data or {}, default=str):
        return True
    return bool(db.session.scalar(select(exists().where(
        CaseEvent.case_id == case.id, CaseEvent.kind == "task_completed",
        cast(CaseEvent.payload, String).contains(attachment_id)))))


def _named_by_a_draft(attachment: Attachment, case: Case) -> bool:
    """Whether a 暂存 draft of one of the case's tasks, saved by a user of the uploader's own side, names it (its
    form would lose the file unseen). Drafts are not validated: one of the other side may name any id (a file its
    user never saw), and does not keep the uploader from deleting his file."""
    uploader = db.session.execute(_UPLOADER, {"user": attachment.uploaded_by_id}).one()
    official = Organisation.kind.in_(_OFFICIAL_KINDS)
    authority_side = official if case.applicant_org_id is None else official & (
        Organisation.id != case.applicant_org_id)
    same_side = authority_side if _on_authority_side(uploader.organisation_id, uploader.kind, case) \
        else ~authority_side
    return bool(db.session.scalar(select(exists().where(
        TaskDraft.task_id == Task.id, Task.case_id == case.id, User.id == TaskDraft.user_id,
        Organisation.id == User.organisation_id, same_side,
        cast(TaskDraft.data, String).contains(attachment.id)))))


def delete_attachment(actor: Actor, case_id: int, attachment_id: str, directory: str) -> Attachment:
    """The uploader deletes a file no submission named (a wrong file picked on a form, never sent) while the
    case is open: the row at once, the file after the commit; recorded in the case's history (and so in the
    audit log). A file a submission or a 暂存 draft names stays (refused, with why).

    The case is read locked and written (its version bumped), so that a form submitted at the same moment and
    naming the file cannot also pass: the one that comes second waits for the other and sees it (the
    submission then refuses the missing file, or this the submitted one), or loses on the version (409)."""
    case = get_case(actor, case_id, locked=True)
    attachment = _seen_attachment(actor, case, attachment_id)
    if attachment.uploaded_by_id != actor.id:
        raise NotAllowed("只能删除本人上传的附件", code="attachment_not_yours")
    if case.status not in OPEN_STATUSES:
        raise RuleViolation("办件已办结，附件作为办件材料存档，不能删除", code="case_closed")
    if _named_by_a_submission(case, attachment.id):
        raise RuleViolation("该附件已随表单提交，作为办件材料存档，不能删除", code="attachment_submitted")
    if _named_by_a_draft(attachment, case):
        raise RuleViolation("该附件在暂存的表单中，请先在表单中移除并重新暂存", code="attachment_in_draft")
    db.session.delete(attachment)
    case.updated_at = utcnow()
    history.record(case, "attachment_deleted", actor,  # (audited as every case event is)
                   payload={"attachment_id": attachment.id, "filename": attachment.filename})
    _files().to_remove.append(Path(directory) / attachment.storage_path)
    return attachment


def get_attachment(actor: Actor, case_id: int, attachment_id: str, directory: str) -> tuple[Attachment, Path]:
    """The attachment and its file path, for those who may see the case and the file (`may_see`: an upload no
    submission names is its own side's; for the other side it does not exist); checksum verified."""
    case = get_case(actor, case_id)
    attachment = _seen_attachment(actor, case, attachment_id)
    path = Path(directory) / attachment.storage_path
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != attachment.sha256:
        raise NotFound("附件文件已损坏或丢失，请联系管理员", code="attachment_corrupt")
    audit.record(actor, "case.attachment_downloaded", "case", case.number, attachment_id=attachment.id,
                 filename=attachment.filename)
    return attachment, path


def _seen_attachment(actor: Actor, case: Case, attachment_id: str) -> Attachment:
    """The case's attachment if the actor may see it; NotFound otherwise (not NotAllowed: whether a file the other
    side has not submitted exists is not confirmed)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("未找到该附件", code="attachment_not_found")
    uploader = db.session.execute(_UPLOADER, {"user": attachment.uploaded_by_id}).one()
    if _on_authority_side(uploader.organisation_id, uploader.kind, case) != _on_authority_side(
            actor.organisation_id, actor.organisation_kind, case) and not _named_by_a_submission(case, attachment.id):
        raise NotFound("未找到该附件", code="attachment_not_found")
    return attachment


# Who sees an upload. A file a submission names (the case's data or a completed task's recorded data name its id,
# as _named_by_a_submission finds) is part of the case: everyone who sees the case sees it. An upload no submission
# names yet (a reviewer's draft report, an applicant's 补正 file not sent) is its own side's: the applicant side
# (the applicant's users, and whoever else is not an official: the applicant who started the case) or the
# authority side (officials of another organisation than the applicant: reviewers, the province, supervisors; the
# official who started a spot check too). The case page, the API's list, case answer and history, and the
# downloads all apply it.
_OFFICIAL_KINDS = frozenset({OrganisationKind.AUTHORITY, OrganisationKind.PLATFORM})

_UPLOADER = (select(User.organisation_id, Organisation.kind).join(Organisation, Organisation.id == User.organisation_id)
             .where(User.id == bindparam("user")))


def _on_authority_side(organisation_id: int | None, organisation_kind: str | None, case: Case) -> bool:
    return organisation_kind in _OFFICIAL_KINDS and organisation_id != case.applicant_org_id


@dataclass(frozen=True)
class SeenFiles:
    """The case's attachments one reader sees, in upload order; which of them a submission names; and whether the
    reader is on the authority side (its unsubmitted uploads are those officials made)."""

    attachments: list[Attachment]
    submitted: frozenset[str]
    authority_side: bool

    @property
    def ids(self) -> set[str]:
        return {a.id for a in self.attachments}

    @property
    def unsubmitted(self) -> list[Attachment]:
        """The reader's own side's uploads no submission names."""
        return [a for a in self.attachments if a.id not in self.submitted]


# The statements every case page and answer runs, built once (building and hashing one costs more than a
# small database running it).
_ATTACHMENTS_OF_CASE = (select(Attachment).where(Attachment.case_id == bindparam("case"))
                        .order_by(Attachment.uploaded_at, Attachment.id))
_ATTACHMENTS_WITH_UPLOADERS = (
    select(Attachment, User.organisation_id, Organisation.kind)
    .join(User, User.id == Attachment.uploaded_by_id).join(Organisation, Organisation.id == User.organisation_id)
    .where(Attachment.case_id == bindparam("case")).order_by(Attachment.uploaded_at, Attachment.id))
_SUBMISSIONS_OF_CASE = select(CaseEvent.payload).where(CaseEvent.case_id == bindparam("case"),
                                                       CaseEvent.kind == "task_completed")


def list_attachments(case_id: int) -> list[Attachment]:
    """Every attachment of the case, whoever uploaded it: for naming the ids a submission or a draft holds (what
    a reader is shown: attachments_seen_by)."""
    return list(db.session.scalars(_ATTACHMENTS_OF_CASE, {"case": case_id}))


def attachments_seen_by(actor: Actor, case: Case, events: Sequence[Event] | None = None) -> SeenFiles:
    """The case's attachments the actor sees (the case is one he may see): those a submission names, and his own
    side's uploads. `events`: the case's history when the caller read it (its submissions are not read again)."""
    payloads = ([e.payload for e in events if e.kind == "task_completed"] if events is not None
                else list(db.session.scalars(_SUBMISSIONS_OF_CASE, {"case": case.id})))
    submissions = json.dumps([case.data or {}, *payloads], default=str)
    reader = _on_authority_side(actor.organisation_id, actor.organisation_kind, case)
    seen, submitted = [], set()
    for attachment, organisation_id, kind in db.session.execute(_ATTACHMENTS_WITH_UPLOADERS, {"case": case.id}):
        if attachment.id in submissions:
            submitted.add(attachment.id)
        elif _on_authority_side(organisation_id, kind, case) != reader:
            continue
        seen.append(attachment)
    return SeenFiles(seen, frozenset(submitted), reader)


def events_seen_by(actor: Actor, case: Case, events: Iterable[Event], seen: Collection[str]) -> list[Event]:
    """The history as the actor reads it: an upload's event only where he sees the file (`seen`: the ids
    attachments_seen_by gave; a deleted upload nobody sees: it was never part of the case), a deletion only on the
    side that deleted it (the uploader's)."""
    reader = _on_authority_side(actor.organisation_id, actor.organisation_kind, case)
    return [e for e in events
            if (e.kind != "attachment_uploaded" or e.payload.get("attachment_id") in seen)
            and (e.kind != "attachment_deleted" or (e.actor is not None and _on_authority_side(
                e.actor.organisation_id, e.actor.organisation_kind, case) == reader))]
