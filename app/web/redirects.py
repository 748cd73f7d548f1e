"""The one sanitizer for every `next` and return path: a path on this site, or nothing.

Browsers read `//host`, `/\\host` and `\\\\host` as another site, drop tabs and newlines before parsing
(`/\\t/host` is `//host`), and some decode `%5C` in a path; so a target is refused when it or its
percent-decoded form does not start with a single `/`, holds a backslash or a control character, or
names a scheme or a host.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _local(candidate: str) -> bool:
    if not candidate.startswith("/") or candidate.startswith("//"):
        return False
    if "\\" in candidate or any(ord(c) < 32 or ord(c) == 127 for c in candidate):
        return False
    parts = urlsplit(candidate)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None (the caller goes to its own default)."""
    if not target or len(target) > MAX_LENGTH:
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]  # a decoded query or fragment names no host
    return target if _local(target) and _local(unquote(path)) else None
