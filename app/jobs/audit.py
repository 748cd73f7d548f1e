"""verify_audit_log: the nightly check of the audit log's hash chain (02:00 China time); a break notifies
every admin and auditor. Celery beat runs it on a crontab; the embedded worker asks `verification_due`."""
import logging
from datetime import datetime, time

from sqlalchemy import select

from app.db import transactional, utcnow
from app.extensions import db
from app.models import AuditEntry
from app.services.audit.log import CHINA, verify_and_alert

log = logging.getLogger(__name__)
NIGHTLY_AT = time(2, 0)


@transactional
def verify_audit_log() -> int:
    """Verify now; returns the number of breaks found (0: intact)."""
    result = verify_and_alert()
    if result.intact:
        log.info("audit log intact: %d rows, head %d", result.rows, result.head_seq)
    else:
        log.error("audit log broken: %s", "; ".join(result.breaks[:10]))
    return len(result.breaks)


def verification_due(now: datetime | None = None) -> bool:
    """Past today's 02:00 (China) and not verified since."""
    local = (now or utcnow()).astimezone(CHINA)
    if local.time() < NIGHTLY_AT:
        return False
    since = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=CHINA)
    last = db.session.scalar(select(AuditEntry.at).where(AuditEntry.action == "audit.verified", AuditEntry.at >= since)
                             .limit(1))
    return last is None


def verify_audit_log_if_due() -> int:
    """The embedded worker's round: verify once a night."""
    if not verification_due():
        return 0
    return verify_audit_log()
