"""One-time SMS codes, the second factor of sign-in: six digits, single use, valid 5 minutes, stored as a
keyed hash, at most 5 wrong entries per code, sent at most once a minute and 10 times an hour per phone
(SMS_PHONE_LIMITS). Other texts a page sends (a main operator's invitation) have the same limits, counted apart."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from app.crypto import lookup_hash
from app.db import rowcount, utcnow
from app.errors import DomainError
from app.extensions import db
from app.log_masking import mask_text
from app.models import SignInCode, User
from app.services.identity.throttle import count_attempt
from app.services.records.identifiers import normalise_identifier

log = logging.getLogger("app.security")

CODE_LIFETIME = timedelta(minutes=5)
MAX_WRONG_ENTRIES = 5
# (window in seconds, codes) a phone may receive: config SMS_PHONE_LIMITS, by default 1 a minute, 10 an hour.
DEFAULT_PHONE_LIMITS = ((60, 1), (3600, 10))
# What a text is, for its count: a sign-in code, or a notice (an invitation). Each kind has its own counters, so
# that the invitation a new main operator just received does not hold back the code of his first sign-in.
CODE_TEXT, NOTICE_TEXT = "code", "notice"


class TooManyCodes(DomainError):
    status, code, message = 429, "too_many_codes", "验证码发送过于频繁，请稍后再试"


@dataclass(frozen=True)
class IssuedCode:
    """A code to send (after the commit: the database keeps only its hash) and to whom."""

    user_id: int
    phone: str
    code: str

    @property
    def text(self) -> str:
        return f"【桂建云】您的登录验证码为 {self.code}，5分钟内有效。请勿告诉他人。"


def _digest(user_id: int, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone_key(phone: str, window: timedelta, kind: str) -> str:
    # The counter's key names no phone number: its keyed hash (a plain digest of 11 digits is reversed by
    # trying them all).
    return f"sms:{kind}:{int(window.total_seconds())}:{lookup_hash(phone) or ''}"[:120]


def require_sms_allowance(phone: str, refusal: str | None = None, *, kind: str = CODE_TEXT) -> None:
    """Count one text of `kind` (CODE_TEXT, NOTICE_TEXT) to the phone; TooManyCodes past that kind's limits.
    Every text a page sends counts under its kind, so that no page texts a number without bound, and codes
    are not refused for a notice sent just before."""
    for seconds, allowed in current_app.config.get("SMS_PHONE_LIMITS") or DEFAULT_PHONE_LIMITS:
        window = timedelta(seconds=seconds)
        if count_attempt(_phone_key(phone, window, kind), window).number > allowed:
            log.warning("SMS refused, phone limit (%s): %s", kind, mask_text(phone))
            raise TooManyCodes(refusal)


def issue_code(user: User, source_ip: str | None) -> IssuedCode:
    """A new code for the user's phone; earlier unused codes stop counting. Refused past the phone's limits."""
    phone = user.phone or ""
    require_sms_allowance(phone)
    now = utcnow()
    db.session.execute(update(SignInCode).where(SignInCode.user_id == user.id, SignInCode.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.session.add(SignInCode(user_id=user.id, code_hash=_digest(user.id, code), created_at=now,
                              expires_at=now + CODE_LIFETIME, source_ip=source_ip[:45] if source_ip else None))
    db.session.flush()
    log.info("SMS code issued for user %d to %s", user.id, mask_text(phone))
    return IssuedCode(user.id, phone, code)


CODE_REFUSALS = {
    "code_used": "验证码已使用或已失效，请重新登录获取",
    "code_expired": "验证码已过期，请重新获取",
    "code_wrong": "验证码错误",
}


def check_code(user_id: int, code: str) -> str | None:
    """Accept the user's current code once: None, or the refusal's key in CODE_REFUSALS (wrong, expired,
    used or spent by too many wrong entries). Returned, not raised: a wrong entry's count must be kept.
    The code is spent by a conditional UPDATE, so that two requests with the same code cannot both pass."""
    now = utcnow()
    current = db.session.scalar(select(SignInCode).where(SignInCode.user_id == user_id, SignInCode.used_at.is_(None))
                                .order_by(SignInCode.id.desc()).limit(1))
    if current is None:
        return "code_used"
    if current.expires_at <= now:
        return "code_expired"
    # As typed with a Chinese IME in full-width mode (１０８７３６): the digits it means.
    if not hmac.compare_digest(current.code_hash, _digest(user_id, normalise_identifier(code))):
        current.failed_checks += 1
        if current.failed_checks >= MAX_WRONG_ENTRIES:
            current.used_at = now  # this code is spent: a new one must be requested
        db.session.flush()
        return "code_wrong"
    spent = db.session.execute(update(SignInCode).where(SignInCode.id == current.id, SignInCode.used_at.is_(None))
                               .values(used_at=now).execution_options(synchronize_session=False))
    return None if rowcount(spent) == 1 else "code_used"
