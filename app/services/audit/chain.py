"""The hash chain: sealing new entries in order (one at a time, whatever the number of writers) and
verifying the chain (an edited, deleted or reordered row breaks it)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from app.db import table_of
from app.errors import Message
from app.models import AuditCheckpoint, AuditEntry

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the seal ("GJYAUDIT" as an integer): one sealer at a time, until its commit.
SEAL_LOCK_KEY = 0x474A5941554449
# PostgreSQL: the lock, then the head read after it, in one round trip (a VOLATILE function's statements each
# take a fresh snapshot; see the migration that creates it).
_LOCKED_HEAD = text("SELECT seq, hash FROM audit_seal_head(:key)")
VERIFY_BATCH = 2000
# The seal writes values, not objects: Core statements on the log's table (the ORM's bulk path would only add
# CPU, a third of the insert's, to rows that no session holds; nothing reads them back in this transaction).
_LOG = table_of(AuditEntry)
_INSERT = insert(_LOG)
_SEAL_ROW = (update(_LOG).where(_LOG.c.id == bindparam("row_id"))
             .values(seq=bindparam("row_seq"), prev_hash=bindparam("row_prev"), hash=bindparam("row_hash")))


def entry_hash(entry: Any, seq: int, prev_hash: str) -> str:
    """SHA-256 over the entry's content, its place and the previous entry's hash (canonical JSON)."""
    content = {"seq": seq, "prev": prev_hash, "at": entry.at.isoformat(timespec="microseconds"),
               "actor_id": entry.actor_id, "actor_name": entry.actor_name, "source_ip": entry.source_ip,
               "action": entry.action, "object_type": entry.object_type, "object_id": entry.object_id,
               "organisation_id": entry.organisation_id, "details": entry.details}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _newest(column: Any) -> Any:
    return (select(column).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq.desc()).limit(1)
            .scalar_subquery())


# SQLite, after the entries' insert: the last id written and the chain's head (seq, hash) in one statement.
_SQLITE_HEAD = select(select(func.max(AuditEntry.id)).scalar_subquery(), _newest(AuditEntry.seq),
                      _newest(AuditEntry.hash))


def head(session: Session) -> tuple[int, str]:
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.is_not(None))
                          .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return _place(row)


def _place(row: Any) -> tuple[int, str]:
    return (row[0] or 0, row[1] or GENESIS) if row is not None else (0, GENESIS)


def seal(session: Session, entries: list[AuditEntry]) -> None:
    """Write `entries` (this transaction's, in the order they were recorded, not in the session yet) with
    their places and hashes after the chain's head: the last step of the unit of work (app.db's
    before-commit hooks). Sealers queue first, so the head read is the last one sealed: PostgreSQL takes a
    transaction-scoped advisory lock (held until the commit) and reads the head after it in one statement,
    then the entries are inserted sealed (one batch); SQLite writes them first, which takes its one write
    lock until the commit, then seals them (one batch of updates)."""
    if not entries:
        return
    if session.get_bind().dialect.name == "postgresql":
        _chain(entries, *_place(session.execute(_LOCKED_HEAD, {"key": SEAL_LOCK_KEY}).first()))
        session.execute(_INSERT, [_values(entry) for entry in entries])
        return
    # SQLite: the insert (one executemany: a RETURNING in parameter order would be one statement per row here)
    # takes the write lock, so the rows it added are the newest ids, in order (a new rowid is the largest plus
    # one, and no other writer can insert until the commit); the head and the last id are read in one statement.
    session.execute(_INSERT, [_values(entry) for entry in entries])
    last_id, seq, prev = session.execute(_SQLITE_HEAD).one()
    _chain(entries, *_place((seq, prev)))
    first_id = last_id - len(entries) + 1
    session.execute(_SEAL_ROW, [{"row_id": first_id + i, "row_seq": entry.seq, "row_prev": entry.prev_hash,
                                 "row_hash": entry.hash} for i, entry in enumerate(entries)])


_WRITTEN = tuple(column.key for column in _LOG.columns if column.key != "id")


def _values(entry: AuditEntry) -> dict[str, Any]:
    return {column: getattr(entry, column) for column in _WRITTEN}


def _chain(entries: list[AuditEntry], seq: int, prev: str) -> None:
    """Give each entry its place after (seq, prev) and its hash."""
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(entry, seq, prev)


@dataclass
class Verification:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    breaks: list[str] = field(default_factory=list)  # Messages: the pages read them in their language

    @property
    def intact(self) -> bool:
        return not self.breaks


def _check(entry: Any, expected_seq: int, prev: str, result: Verification) -> None:
    if entry.seq != expected_seq:
        result.breaks.append(Message("第 {seq} 条缺失（下一条为第 {next} 条）：记录被删除", seq=expected_seq,
                                     next=entry.seq))
    if entry.prev_hash != prev:
        result.breaks.append(Message("第 {seq} 条的前序哈希不符：记录被删除或调换了顺序", seq=entry.seq))
    if entry.hash != entry_hash(entry, entry.seq or 0, entry.prev_hash or ""):
        result.breaks.append(Message("第 {seq} 条的内容与其哈希不符：记录被修改", seq=entry.seq))


def verify(session: Session) -> Verification:
    """Walk the chain in order: each row's hash over its content and the previous row's hash, the places
    without gaps, no row left unsealed, and the last checkpoint's row still there, unchanged."""
    result = Verification()
    last_seq, prev = archived_head(session)
    while True:
        batch = list(session.execute(select(*table_of(AuditEntry).c).where(AuditEntry.seq > last_seq)
                                     .order_by(AuditEntry.seq).limit(VERIFY_BATCH)))
        for entry in batch:
            _check(entry, last_seq + 1, prev, result)
            prev, last_seq = entry.hash or "", entry.seq or 0
            result.rows += 1
        if len(batch) < VERIFY_BATCH:
            break
    result.head_seq, result.head_hash = last_seq, prev
    unsealed = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None)))
    if unsealed:
        result.breaks.append(Message("{count} 条记录未封存（不在哈希链中）", count=unsealed))
    _check_checkpoint(session, result)
    return result


ARCHIVED = "audit.archived"


def archived_head(session: Session) -> tuple[int, str]:
    """Where the chain starts: its genesis, or after the rows archived and deleted last (an `audit.archived`
    entry, itself in the chain, names the last archived row and its hash)."""
    details = session.scalar(select(AuditEntry.details)
                             .where(AuditEntry.action == ARCHIVED, AuditEntry.seq.is_not(None))
                             .order_by(AuditEntry.seq.desc()).limit(1))
    if not details:
        return 0, GENESIS
    first = session.scalar(select(func.min(AuditEntry.seq)))
    if first is not None and first > int(details["up_to_seq"]):
        return int(details["up_to_seq"]), str(details["head_hash"])
    return 0, GENESIS  # the archived rows are still there (not deleted yet): walk from the start


def _check_checkpoint(session: Session, result: Verification) -> None:
    checkpoint = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    if checkpoint is None or checkpoint.seq <= archived_head(session)[0]:
        return
    if result.head_seq < checkpoint.seq:
        result.breaks.append(Message("哈希链止于第 {head} 条，而上次校验时已有第 {seq} 条：末尾记录被删除",
                                     head=result.head_seq, seq=checkpoint.seq))
        return
    kept = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == checkpoint.seq))
    if kept != checkpoint.hash:
        result.breaks.append(Message("第 {seq} 条与上次校验时不同", seq=checkpoint.seq))


def checkpoint(session: Session, result: Verification) -> None:
    """Remember an intact chain's head for the next verification."""
    if result.intact and result.head_seq:
        session.add(AuditCheckpoint(seq=result.head_seq, hash=result.head_hash, rows=result.rows))
        session.flush()


def describe(result: Verification) -> dict[str, Any]:
    return {"rows": result.rows, "head_seq": result.head_seq, "intact": result.intact, "breaks": result.breaks}


def check_expected_head(session: Session, result: Verification, seq: int, expected_hash: str) -> None:
    """A head kept outside the database (the security log, a notification) must still be in the chain: a chain
    rewritten wholesale by someone with the database's rights passes every other check."""
    kept = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))
    if kept != expected_hash:
        result.breaks.append(Message("第 {seq} 条的哈希与库外保存的不同：哈希链被整体改写", seq=seq))
