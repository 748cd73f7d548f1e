"""HMAC-SHA256 signatures over `<timestamp>.<body>`: we sign what we send, and check what other systems
send us (a key per system, a replay window on the timestamp)."""
from __future__ import annotations

import hashlib
import hmac
import re
import time

TIMESTAMP_HEADER = "X-GJY-Timestamp"   # Unix seconds
SIGNATURE_HEADER = "X-GJY-Signature"   # hex HMAC-SHA256 of f"{timestamp}.".encode() + body


def sign(key: str, timestamp: str, body: bytes) -> str:
    return hmac.new(key.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(key: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(key, timestamp, body)}


def signature_matches(key: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, timestamp, body), signature.strip().lower())


_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")  # ASCII digits only (int() takes "+1_0", "１", 400 digits)


def timestamp_age(timestamp: str, now: float | None = None) -> float | None:
    """Seconds between the signed timestamp (Unix seconds) and now (either way); None when it is not one."""
    if not isinstance(timestamp, str) or not _UNIX_SECONDS.fullmatch(timestamp):
        return None
    return abs((now if now is not None else time.time()) - int(timestamp))
