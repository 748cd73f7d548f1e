"""Reading the audit log (auditors only): search, CSV export, the nightly verification with its alert;
each search, export and verification is itself audited."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select

from app.db import LIKE_ESCAPE, contains_pattern, utcnow
from app.errors import Listed, Message, NotAllowed
from app.errors import RuleViolation as RuleViolationBase
from app.extensions import db
from app.models import Actor, AuditEntry, Role
from app.services.audit import chain, record
from app.services.notifications import Note, notify, users_with_role

CHINA = ZoneInfo("Asia/Shanghai")
security_log = logging.getLogger("app.security")
RETENTION_DAYS = 183  # at least six months (等保2.0 三级); the database refuses to delete younger rows
EXPORT_LIMIT = 50_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = ("序号", "时间", "用户", "用户ID", "IP地址", "操作", "对象类型", "对象", "单位ID", "详情", "哈希")


def require_auditor(actor: Actor) -> None:
    if not actor.has_role(Role.AUDITOR):
        raise NotAllowed("只有安全审计员可以查看审计日志", code="auditor_only")


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor searches for; every part optional. Days are China dates, inclusive."""

    actor: str = ""
    action: str = ""  # a prefix: "sign_in" finds every sign-in outcome
    object_type: str = ""
    object_id: str = ""
    source_ip: str = ""
    first: date | None = None
    last: date | None = None


def _query(filters: AuditFilter) -> Select[Any]:
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor_name.like(contains_pattern(filters.actor), escape=LIKE_ESCAPE))
    if filters.action:
        query = query.where(AuditEntry.action.like(filters.action.replace("%", "").replace("_", LIKE_ESCAPE + "_")
                                                   + "%", escape=LIKE_ESCAPE))
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.source_ip:
        query = query.where(AuditEntry.source_ip == filters.source_ip)
    if filters.first:
        query = query.where(AuditEntry.at >= datetime.combine(filters.first, time(), tzinfo=CHINA))
    if filters.last:
        query = query.where(AuditEntry.at < datetime.combine(filters.last + timedelta(days=1), time(), tzinfo=CHINA))
    return query


def _described(filters: AuditFilter) -> dict[str, Any]:
    return {key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in vars(filters).items() if value}


def latest_entry_id() -> int:
    """The newest entry's id (0: none): a search's `up_to`, so that its later pages show the entries there were
    when its first page was read."""
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def search(actor: Actor, filters: AuditFilter, page: int = 1, per_page: int = 50,
           up_to: int | None = None) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and how many match; with `up_to`, only the entries up to that id: each
    search writes an entry itself (and others write theirs meanwhile), which would push the entries of a page
    read later down onto the next (repeated there)."""
    require_auditor(actor)
    query = _query(filters)
    if up_to is not None:
        query = query.where(AuditEntry.id <= up_to)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows: list[AuditEntry] = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page)
                                   .limit(per_page)))
    record(actor, "audit.searched", "audit_log", "", page=page, search=_described(filters))
    return rows, total


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_csv(actor: Actor, filters: AuditFilter) -> bytes:
    """The matching entries (oldest first, at most EXPORT_LIMIT) as CSV, UTF-8 with a byte-order mark."""
    require_auditor(actor)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _csv_rows(db.session.scalars(_query(filters).order_by(AuditEntry.id).limit(EXPORT_LIMIT))):
        writer.writerow(row)
        count += 1
    record(actor, "audit.exported", "audit_log", "", rows=count, search=_described(filters))
    return out.getvalue().encode("utf-8-sig")


def verify_and_alert(actor: Actor | None = None, expect: tuple[int, str] | None = None) -> chain.Verification:
    """Verify the whole chain (and that `expect`, a head kept outside the database, is still in it); intact:
    remember its head (a checkpoint); broken: tell every admin and auditor (an in-app notification,
    delivered like the others). Recorded in the log either way."""
    result = chain.verify(db.session())
    if expect is not None:
        chain.check_expected_head(db.session(), result, *expect)
    if result.intact:
        chain.checkpoint(db.session(), result)
    else:
        day = utcnow().astimezone(CHINA).date().isoformat()
        body = Message("发现 {count} 处问题：{breaks}", count=len(result.breaks), breaks=Listed(result.breaks[:10]))
        notify([*users_with_role(Role.ADMIN), *users_with_role(Role.AUDITOR)],
               Note("audit_chain_broken", Message("审计日志完整性校验失败"), body, key=day,
                    payload={"breaks": result.breaks[:50], "rows": result.rows}))
    record(actor, "audit.verified", "audit_log", "", **chain.describe(result) | {"breaks": result.breaks[:20]})
    # The head, kept outside the database too (the security log, shipped by the deployment): a chain rewritten
    # wholesale is found against it (`flask audit verify --expect SEQ:HASH`).
    security_log.info("audit log head: seq=%d hash=%s intact=%s", result.head_seq, result.head_hash, result.intact)
    return result


class RetentionRefused(RuleViolationBase):
    code = "audit_retention"


def _csv_rows(entries: Any) -> Any:
    import json

    for entry in entries:
        yield [_cell(v) for v in (entry.seq, entry.at, entry.actor_name, entry.actor_id, entry.source_ip,
                                  entry.action, entry.object_type, entry.object_id, entry.organisation_id,
                                  json.dumps(entry.details, ensure_ascii=False), entry.hash)]


def archive(before: date, out: Any, now: datetime | None = None) -> dict[str, Any]:
    """Write the chain's oldest rows, up to the last one recorded before `before` (a China date at least
    RETENTION_DAYS ago), as CSV to `out`, then delete them; an `audit.archived` entry (in the chain) names the
    last archived row and its hash, where verification then starts. Refused while the chain is broken."""
    limit = datetime.combine(before, time(), tzinfo=CHINA)
    if limit > retention_cutoff(now):
        raise RetentionRefused(f"审计日志至少保留 {RETENTION_DAYS} 天："
                               f"只能归档 {retention_cutoff(now).date()} 之前的记录")
    result = chain.verify(db.session())
    if not result.intact:
        raise RetentionRefused("审计日志完整性校验未通过，不能归档：" + "；".join(result.breaks[:3]))
    start, _prev = chain.archived_head(db.session())
    newer = db.session.scalar(select(func.min(AuditEntry.seq)).where(AuditEntry.at >= limit, AuditEntry.seq > start))
    last = (newer - 1) if newer is not None else result.head_seq
    if last <= start:
        return {"rows": 0}
    rows = select(AuditEntry).where(AuditEntry.seq > start, AuditEntry.seq <= last).order_by(AuditEntry.seq)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_rows(db.session.scalars(rows)))
    out.flush()  # written out before the rows are deleted
    head_hash = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == last))
    summary: dict[str, Any] = {"from_seq": start + 1, "up_to_seq": last, "head_hash": head_hash, "rows": last - start,
               "before": before.isoformat()}
    record(None, chain.ARCHIVED, "audit_log", "", actor_name="cli", **summary)
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq > start, AuditEntry.seq <= last))
    return summary


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Entries younger than this are kept whatever happens (the database refuses their deletion)."""
    return (now or utcnow()) - timedelta(days=RETENTION_DAYS)


__all__ = ["AuditFilter", "archive", "export_csv", "latest_entry_id", "require_auditor", "retention_cutoff", "search",
           "verify_and_alert"]
