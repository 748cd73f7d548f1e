"""Atomic attempt counters in the database (shared by every worker process): one upsert counts an attempt
and answers its number, so that concurrent attempts never read the same count (check-then-insert would let
several through between the check and the insert)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete

from app.db import UpsertStatement, UTCDateTime, table_of, utcnow
from app.extensions import db
from app.models import ThrottleCounter

_COUNTERS = table_of(ThrottleCounter)


def _build(insert: Any) -> Any:
    statement = insert(_COUNTERS)
    # A window older than the cutoff starts again at 1; SET reads the row as it was (SQL's rule).
    expired = _COUNTERS.c.window_started_at <= bindparam("cutoff", type_=UTCDateTime())
    return statement.on_conflict_do_update(
        index_elements=[_COUNTERS.c.key],
        set_={"count": case((expired, 1), else_=_COUNTERS.c.count + 1),
              "window_started_at": case((expired, statement.excluded.window_started_at),
                                        else_=_COUNTERS.c.window_started_at)},
    ).returning(_COUNTERS.c.count, _COUNTERS.c.window_started_at)


_COUNT = UpsertStatement(_build)


@dataclass(frozen=True)
class Count:
    number: int  # this attempt's number within the window (1: the first)
    window_started_at: datetime

    def minutes_left(self, window: timedelta) -> int:
        """Whole minutes until the window ends (at least 1)."""
        seconds = (self.window_started_at + window - utcnow()).total_seconds()
        return max(1, -(-int(seconds) // 60))


def count_attempt(key: str, window: timedelta) -> Count:
    """Count one attempt under `key` in a window of `window` that starts with the first attempt."""
    now = utcnow()
    row = db.session.execute(_COUNT(db.session()), {"key": key[:120], "count": 1, "window_started_at": now,
                                                     "cutoff": now - window}).one()
    return Count(int(row[0]), row[1])


def forget(key: str) -> None:
    """Start the key afresh (a successful sign-in clears its failures)."""
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key == key[:120]))
